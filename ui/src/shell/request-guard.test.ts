import { describe, expect, it } from "vitest";
import { latest } from "./request-guard";

describe("request guard", () => {
  it("a new ticket is current and names what it is for", () => {
    const guard = latest();
    const ticket = guard.next("1001/lab");
    expect(ticket.current()).toBe(true);
    expect(ticket.key).toBe("1001/lab");
    expect(guard.key).toBe("1001/lab");
    expect(ticket.signal.aborted).toBe(false);
  });

  it("a newer request makes every earlier ticket stale, even for the same key", () => {
    const guard = latest();
    const first = guard.next("1001/lab");
    const second = guard.next("2002/lab");
    const third = guard.next("2002/lab");
    expect(first.current()).toBe(false);
    expect(second.current()).toBe(false);
    expect(third.current()).toBe(true);
    expect(guard.key).toBe("2002/lab");
  });

  it("a stale ticket's signal aborts, so work in flight can stop", () => {
    const guard = latest();
    const first = guard.next("doc-a");
    let aborted = 0;
    first.signal.addEventListener("abort", () => aborted++);
    guard.next("doc-b");
    guard.next("doc-c");
    expect(first.signal.aborted).toBe(true);
    expect(aborted).toBe(1);
  });

  it("cancelling leaves no ticket current until the next request", () => {
    const guard = latest();
    const ticket = guard.next("1001/lab");
    guard.cancel();
    expect(ticket.current()).toBe(false);
    expect(ticket.signal.aborted).toBe(true);
    expect(guard.key).toBeNull();
    guard.cancel(); // harmless twice
    const again = guard.next("1001/lab");
    expect(again.current()).toBe(true);
    expect(ticket.current()).toBe(false);
  });

  it("separate guards do not affect each other", () => {
    const list = latest();
    const viewer = latest();
    const rows = list.next("1001/lab");
    viewer.next("doc-a");
    viewer.cancel();
    expect(rows.current()).toBe(true);
  });

  it("only the newest of answers settling out of order is applied", async () => {
    const guard = latest();
    const shown: string[] = [];
    const load = async (key: string, delay: number) => {
      const ticket = guard.next(key);
      await new Promise((r) => setTimeout(r, delay));
      if (ticket.current()) shown.push(key);
    };
    await Promise.all([load("slow patient A", 20), load("quick patient B", 1)]);
    expect(shown).toEqual(["quick patient B"]);
  });
});
