// The access-history panel: UK time as the server words it (GMT or BST), what a change changed,
// and the note that says the times are UK time.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { loadPage, settle } from "../documents/test-support";
import { byId } from "../shell/dom";
import type { AccessEvent } from "../backend/types";

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

beforeEach(() => {
  backend.accessHistory.mockReset();
  loadPage();
});

describe("the access history", () => {
  it("shows UK time with its zone, says so, and names what a restriction change changed", async () => {
    backend.accessHistory.mockResolvedValue([
      event({ action: "Restricted the record", detail: "not restricted → restricted" }),
      event({ shown_at: "30-Nov-2026 09:15 GMT", reason: "Clinical emergency: arrest call", reported_offline: true }),
    ]);
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
});
