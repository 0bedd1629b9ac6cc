// The access-history panel: UK time as the server words it (GMT or BST), what a change changed,
// the note that says the times are UK time, and older events a page at a time.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, loadPage, settle } from "../documents/test-support";
import { byId } from "../shell/dom";
import type { AccessEvent, AccessHistoryRows } from "../backend/types";

const backend = vi.hoisted(() => ({ accessHistory: vi.fn() }));
vi.mock("../backend/api", () => ({ backend }));

const event = (over: Partial<AccessEvent>): AccessEvent => ({
  at: "2026-06-30T09:15:00Z",
  shown_at: "30-Jun-2026 10:15 BST",
  actor: "admin.byrne",
  action: "Opened a document",
  doc_id: null,
  reason: null,
  reported_offline: false,
  detail: null,
  ...over,
});

const page = (next: string | null, rows: AccessEvent[]): AccessHistoryRows => ({ rows, next });
const actors = (n: number, from = 0) => Array.from({ length: n }, (_, i) => event({ actor: `user.${from + i}` }));
const shownActors = () => [...byId("access-history-rows").querySelectorAll("tr")].map((tr) => tr.cells[1].textContent);
const older = () => byId<HTMLButtonElement>("access-history-older");

async function openHistory(mrn: string): Promise<void> {
  const { offerAccessHistory } = await import("./access-history");
  offerAccessHistory(mrn, true);
  byId<HTMLButtonElement>("show-access-history").click();
}

beforeEach(() => {
  vi.resetModules(); // a fresh panel: nothing offered yet
  backend.accessHistory.mockReset();
  loadPage();
});

describe("the access history", () => {
  it("shows UK time with its zone, says so, and names what a restriction change changed", async () => {
    backend.accessHistory.mockResolvedValue(
      page(null, [
        event({ action: "Restricted the record", detail: "not restricted → restricted" }),
        event({ shown_at: "30-Nov-2026 09:15 GMT", reason: "Clinical emergency: arrest call", reported_offline: true }),
      ]),
    );
    const { offerAccessHistory } = await import("./access-history");
    offerAccessHistory("10000007", true);
    byId<HTMLButtonElement>("show-access-history").click();
    await settle(0);
    const cells = [...byId("access-history-rows").querySelectorAll("tr")].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent),
    );
    expect(cells).toEqual([
      ["30-Jun-2026 10:15 BST", "admin.byrne", "Restricted the record (not restricted → restricted)", ""],
      ["30-Nov-2026 09:15 GMT (offline)", "admin.byrne", "Opened a document", "Clinical emergency: arrest call"],
    ]);
    expect(byId("access-history-status").textContent).toContain("UK time");
  });

  it("offers older events while the server has more, and appends them after the newest", async () => {
    backend.accessHistory.mockResolvedValueOnce(page("c1", actors(2)));
    await openHistory("10000008");
    await settle(0);
    expect(backend.accessHistory).toHaveBeenLastCalledWith("10000008");
    expect(older().hidden).toBe(false);
    expect(older().textContent).toBe("Show older events");
    expect(byId("access-history-status").textContent).toBe("2 events shown, newest first (reads reported later from an offline copy follow the rest); times are UK time (GMT or BST).");

    backend.accessHistory.mockResolvedValueOnce(page("c2", actors(2, 2)));
    older().focus();
    older().click();
    await settle(0);
    expect(backend.accessHistory).toHaveBeenLastCalledWith("10000008", "c1");
    expect(shownActors()).toEqual(["user.0", "user.1", "user.2", "user.3"]);
    expect(byId("access-history-status").textContent).toContain("4 events shown");
    // Focus goes to the first older event, so reading goes on where the new rows start.
    expect(document.activeElement).toBe(byId("access-history-rows").querySelectorAll("tr")[2]);
    expect(older().hidden).toBe(false);
  });

  it("takes the button away on the last page", async () => {
    backend.accessHistory.mockResolvedValueOnce(page("c1", actors(2))).mockResolvedValueOnce(page(null, actors(1, 2)));
    await openHistory("10000008");
    await settle(0);
    older().click();
    await settle(0);
    expect(backend.accessHistory).toHaveBeenLastCalledWith("10000008", "c1");
    expect(shownActors()).toEqual(["user.0", "user.1", "user.2"]);
    expect(older().hidden).toBe(true);
    expect(byId("access-history-status").textContent).toBe("3 events shown, newest first (reads reported later from an offline copy follow the rest); times are UK time (GMT or BST).");
  });

  it("shows no button when the first page is all there is", async () => {
    backend.accessHistory.mockResolvedValueOnce(page(null, actors(1)));
    await openHistory("10000008");
    await settle(0);
    expect(older().hidden).toBe(true);
    expect(byId("access-history-status").textContent).toBe("1 event shown, newest first (reads reported later from an offline copy follow the rest); times are UK time (GMT or BST).");
  });

  it("never draws a late older page for a patient no longer on screen", async () => {
    const late = deferred<AccessHistoryRows>();
    backend.accessHistory.mockResolvedValueOnce(page("c1", actors(2))).mockReturnValueOnce(late.promise);
    await openHistory("10000008");
    await settle(0);
    older().click();
    // Another patient is found before the older page comes back.
    backend.accessHistory.mockResolvedValueOnce(page(null, [event({ actor: "other.patient" })]));
    await openHistory("10000009");
    await settle(0);
    late.resolve(page("c2", actors(2, 2)));
    await settle(0);
    expect(shownActors()).toEqual(["other.patient"]);
    expect(older().hidden).toBe(true);
    expect(byId("access-history-status").textContent).toContain("1 event shown");
  });

  it("never draws a late first page for a patient no longer on screen", async () => {
    const late = deferred<AccessHistoryRows>();
    backend.accessHistory.mockReturnValueOnce(late.promise);
    await openHistory("10000008");
    const { offerAccessHistory } = await import("./access-history");
    offerAccessHistory("10000009", true);
    late.resolve(page("c1", actors(2)));
    await settle(0);
    expect(shownActors()).toEqual([]);
    expect(byId("access-history").hidden).toBe(true);
    expect(older().hidden).toBe(true);
  });
});
