import { describe, expect, it } from "vitest";
import type { UiError } from "../backend/types";
import { deferred as pending } from "../documents/test-support";
import { view, viewState } from "./scope";

const fail = (message: string): UiError => ({ code: "unavailable", message }) as UiError;

describe("a view's scope", () => {
  it("a new scope is live and names what it shows", () => {
    const patient = view();
    const scope = patient.open("1001/lab");
    expect(scope.live).toBe(true);
    expect(scope.key).toBe("1001/lab");
    expect(patient.scope).toBe(scope);
    expect(scope.signal.aborted).toBe(false);
  });

  it("hands over the answer of a request made while it is live", async () => {
    const scope = view().open("1001");
    const shown: string[] = [];
    await scope.run(Promise.resolve("ALPHA, Ann"), (name) => void shown.push(name), () => undefined);
    await scope.run(Promise.reject(fail("No network")), () => undefined, (e) => void shown.push(e.message));
    expect(shown).toEqual(["ALPHA, Ann", "No network"]);
  });

  it("refuses an answer for patient A that arrives after the view moved to patient B", async () => {
    const patient = view();
    const forAnn = pending<string>();
    const shown: string[] = [];
    const ann = patient.open("1001").run(forAnn.promise, (name) => void shown.push(name), () => undefined);
    const ben = patient.open("2002").run(Promise.resolve("BRAVO, Ben"), (name) => void shown.push(name), () => undefined);
    await ben;
    forAnn.resolve("ALPHA, Ann");
    await ann;
    expect(shown).toEqual(["BRAVO, Ben"]);
  });

  it("refuses a stale error too, even for the same key (a reload supersedes a load)", async () => {
    const list = view();
    const first = pending<string[]>();
    const errors: string[] = [];
    const stale = list.open("1001/lab").run(first.promise, () => undefined, (e) => void errors.push(e.message));
    list.open("1001/lab");
    first.reject(fail("Not found"));
    await stale;
    expect(errors).toEqual([]);
  });

  it("closing the view refuses every answer still on its way and aborts its signal", async () => {
    const viewer = view();
    const doc = pending<string>();
    const scope = viewer.open("doc-a");
    let aborted = 0;
    scope.signal.addEventListener("abort", () => aborted++);
    const shown: string[] = [];
    const done = scope.run(doc.promise, (d) => void shown.push(d), () => undefined);
    viewer.close();
    viewer.close(); // harmless twice
    doc.resolve("bytes");
    await done;
    expect(shown).toEqual([]);
    expect(scope.live).toBe(false);
    expect(viewer.scope).toBeNull();
    expect(aborted).toBe(1);
  });

  it("a later step of a flow is refused once the scope ended between steps", async () => {
    const patient = view();
    const reason = pending<string>();
    const steps: string[] = [];
    const scope = patient.open("1001");
    const flow = scope.run(Promise.resolve("reason_required"), async () => {
      steps.push("asked");
      await scope.run(reason.promise, () => void steps.push("opened"), () => undefined);
    }, () => undefined);
    await Promise.resolve();
    patient.open("2002");
    reason.resolve("Emergency");
    await flow;
    expect(steps).toEqual(["asked"]);
  });

  it("a bound handler does nothing once the scope ended", () => {
    const viewer = view();
    const calls: number[] = [];
    const onLoad = viewer.open("doc-a").bind((n: number) => void calls.push(n));
    onLoad(1);
    viewer.open("doc-b");
    onLoad(2);
    expect(calls).toEqual([1]);
  });

  it("clean-ups run once when the scope ends, newest first, and at once for an ended scope", () => {
    const viewer = view();
    const freed: string[] = [];
    const scope = viewer.open("doc-a");
    scope.defer(() => freed.push("document"));
    scope.defer(() => freed.push("canvas"));
    viewer.open("doc-b");
    expect(freed).toEqual(["canvas", "document"]);
    viewer.close();
    scope.defer(() => freed.push("late"));
    expect(freed).toEqual(["canvas", "document", "late"]);
  });

  it("an action runs in the scope live when it started: it neither supersedes it nor lands on the next", async () => {
    const list = view();
    const load = list.open("1001/lab");
    const stamp = pending<string>();
    const said: string[] = [];
    const action = list.run(stamp.promise, (s) => void said.push(s), () => undefined);
    expect(load.live).toBe(true);
    list.open("2002/lab");
    stamp.resolve("Verified");
    await action;
    expect(said).toEqual([]);
    await list.run(Promise.resolve("Verified"), (s) => void said.push(s), () => undefined);
    expect(said).toEqual(["Verified"]);
  });

  it("an action's reply still lands after a reload of the same list", async () => {
    const list = view();
    list.open("1001/lab");
    const stamp = pending<string>();
    const said: string[] = [];
    const action = list.run(stamp.promise, (s) => void said.push(s), () => undefined);
    list.open("1001/lab");
    stamp.resolve("Verified");
    await action;
    expect(said).toEqual(["Verified"]);
  });

  it("with nothing shown an action's answer and error have nowhere to go", async () => {
    const list = view();
    const said: string[] = [];
    await list.run(Promise.resolve("Saved"), (s) => void said.push(s), () => undefined);
    await list.run(Promise.reject(fail("Refused")), () => undefined, (e) => void said.push(e.message));
    expect(said).toEqual([]);
  });

  it("an action asked from a list the view has since left is not handed to the list shown now", async () => {
    const list = view();
    list.open("1001/lab");
    list.open("2002/lab");
    const said: string[] = [];
    await list.runFor("1001/lab", Promise.resolve("Verified"), (s) => void said.push(s), () => undefined);
    await list.runFor("2002/lab", Promise.resolve("Verified for Ben"), (s) => void said.push(s), () => undefined);
    expect(said).toEqual(["Verified for Ben"]);
  });

  it("what an opening shows is dropped when its scope ends, and a newer opening's is kept", () => {
    const list = view();
    const shown = viewState<{ mrn: string }>();
    const ann = shown.hold(list.open("1001/lab"), { mrn: "1001" });
    expect(shown.current).toBe(ann);
    const ben = shown.hold(list.open("2002/lab"), { mrn: "2002" });
    expect(shown.current).toBe(ben);
    list.close();
    expect(shown.current).toBeNull();
  });

  it("an opening ending in one view does not drop what another view's opening holds", () => {
    const list = view();
    const search = view();
    const shown = viewState<{ mrn: string }>();
    shown.hold(list.open("1001/lab"), { mrn: "1001" });
    const ben = shown.hold(search.open("2002/search/bloods"), { mrn: "2002" });
    list.close();
    expect(shown.current).toBe(ben);
  });

  it("separate views do not affect each other", () => {
    const list = view();
    const viewer = view();
    const rows = list.open("1001/lab");
    viewer.open("doc-a");
    viewer.close();
    expect(rows.live).toBe(true);
  });
});
