// The open record's poll: a new version refreshes, an unchanged one does not, errors back off
// quietly, and an answer for a patient no longer on screen is dropped.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { view } from "../shell/scope";

const backend = vi.hoisted(() => ({ recordVersion: vi.fn() }));
vi.mock("../backend/api", () => ({ backend }));

import { POLL_MS, watchRecord } from "./live-refresh";

/** Lets pending promise callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  backend.recordVersion.mockReset();
});
afterEach(() => vi.useRealTimers());

describe("the open record's poll", () => {
  it("refreshes once for a new version and not while it is unchanged", async () => {
    const answers = ["v1", null, "v2", null];
    const sent: (string | null)[] = [];
    backend.recordVersion.mockImplementation(async (_mrn: string, seen: string | null) => {
      sent.push(seen);
      return answers.shift() ?? null;
    });
    const patient = view();
    const changed = vi.fn(async () => undefined);
    void watchRecord(patient.open("1001"), "1001", changed);
    await settle();
    expect(changed).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(changed).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(changed).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(sent).toEqual([null, "v1", "v1", "v2"]);
    patient.close();
  });

  it("drops a new version answered after another patient was opened, and stops polling", async () => {
    let answer: (v: string) => void = () => undefined;
    backend.recordVersion.mockResolvedValueOnce("v1");
    backend.recordVersion.mockImplementationOnce(() => new Promise<string>((r) => (answer = r)));
    const patient = view();
    const changed = vi.fn(async () => undefined);
    void watchRecord(patient.open("1001"), "1001", changed);
    await settle();
    await vi.advanceTimersByTimeAsync(POLL_MS);
    patient.open("2002");
    answer("v2");
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(changed).not.toHaveBeenCalled();
    expect(backend.recordVersion).toHaveBeenCalledTimes(2);
    patient.close();
  });

  it("backs off quietly while the server cannot be reached, then resumes", async () => {
    backend.recordVersion.mockRejectedValue({ code: "unreachable", message: "offline" });
    const patient = view();
    void watchRecord(patient.open("1001"), "1001", async () => undefined);
    await settle();
    await vi.advanceTimersByTimeAsync(POLL_MS * 7);
    // 3 s, then 6 s, then 12 s apart: 3 polls in 21 s rather than 8.
    expect(backend.recordVersion).toHaveBeenCalledTimes(3);
    backend.recordVersion.mockResolvedValue(null);
    await vi.advanceTimersByTimeAsync(POLL_MS * 10);
    expect(backend.recordVersion.mock.calls.length).toBeGreaterThan(4);
    patient.close();
  });

  it("asks nothing while the window is hidden", async () => {
    backend.recordVersion.mockResolvedValue(null);
    const state = vi.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    const patient = view();
    void watchRecord(patient.open("1001"), "1001", async () => undefined);
    await vi.advanceTimersByTimeAsync(POLL_MS * 5);
    expect(backend.recordVersion).not.toHaveBeenCalled();
    state.mockReturnValue("visible");
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(backend.recordVersion).toHaveBeenCalled();
    patient.close();
  });
});
