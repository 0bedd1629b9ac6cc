// Nothing disappears silently: under a category's list, its replaced and detached documents
// (and deleted documents' tombstones) show in a collapsed section, marked, openable except
// tombstones; a delete asks why. Driven through the real search, tiles and list.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DocumentRow, HistoryRow } from "../backend/types";
import { byId } from "../shell/dom";
import { deferred, loadPage, row, settle, summary } from "./test-support";

const backend = vi.hoisted(() => ({
  findPatient: vi.fn(),
  revalidatePatient: vi.fn(),
  // The record's poll never answers here (live-refresh.test covers it).
  recordVersion: vi.fn(() => new Promise(() => undefined)),
  searchOffline: vi.fn(),
  listDocumentsPage: vi.fn(),
  searchDocuments: vi.fn(),
  documentThumbnail: vi.fn(),
  documentHistory: vi.fn(),
  exportDocuments: vi.fn(),
  openDocument: vi.fn(),
  stampDocument: vi.fn(),
  detachDocument: vi.fn(),
  deleteDocument: vi.fn(),
  onUploadProgress: vi.fn(),
}));
const platform = vi.hoisted(() => ({ kind: "desktop", offline: true, pinning: true, saveDialog: true }));
vi.mock("../backend/api", () => ({ backend, platform }));
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({ GlobalWorkerOptions: {}, getDocument: vi.fn() }));

function historyRow(id: string, status: HistoryRow["status"], label: string, fileName: string): HistoryRow {
  return { ...row(id, fileName), stamp_action: null, can_open: status !== "deleted", status, label };
}

const replaced = historyRow("old-1", "replaced", "Replaced 04-Dec-2026", "site-marking.png");
const tombstone = historyRow("gone-1", "deleted", "Deleted by admin.byrne on 05-Dec-2026: Wrong patient", "");

beforeEach(async () => {
  vi.resetModules();
  for (const fn of Object.values(backend)) fn.mockReset();
  loadPage();
  backend.findPatient.mockResolvedValue(summary("1001", "ALPHA, Ann"));
  backend.listDocumentsPage.mockResolvedValue({ category: "lab", rows: [row("a-1", "current.png")] satisfies DocumentRow[] });
  backend.openDocument.mockReturnValue(new Promise(() => undefined));
  const list = await import("./category-list");
  const search = await import("../patient/search");
  list.initCategoryList(() => undefined);
  search.initPatientSearch(() => undefined);
});

async function openLab(mrn = "1001"): Promise<void> {
  byId<HTMLInputElement>("patient-query").value = `MRN ${mrn}`;
  byId<HTMLFormElement>("search-form").requestSubmit();
  await settle(0);
  byId("tiles").querySelector<HTMLButtonElement>('button[data-category="lab"]')!.click();
  await settle(0);
}

const historyItems = () => [...byId("doc-history-rows").querySelectorAll("li")];

describe("the replaced and detached section", () => {
  it("is collapsed by default, counts and marks each row, and opens a replaced document but never a tombstone", async () => {
    backend.documentHistory.mockResolvedValue([tombstone, replaced]);
    await openLab();

    const section = byId<HTMLDetailsElement>("doc-history");
    expect(backend.documentHistory).toHaveBeenCalledWith("1001", "lab");
    expect(section.hidden).toBe(false);
    expect(section.open).toBe(false);
    expect(byId("doc-history-title").textContent).toBe("Replaced and detached (2)");
    expect(historyItems().map((li) => li.dataset.status)).toEqual(["deleted", "replaced"]);
    expect(historyItems()[0].textContent).toContain("Deleted by admin.byrne on 05-Dec-2026: Wrong patient");
    expect(historyItems()[0].querySelector("button")).toBeNull();

    const open = historyItems()[1].querySelector<HTMLButtonElement>("button")!;
    expect(open.getAttribute("aria-label")).toBe("Open site-marking.png (Replaced 04-Dec-2026)");
    open.click();
    expect(backend.openDocument).toHaveBeenCalledWith("1001", "old-1", false);
  });

  it("stays hidden for a role that does not see it, and when nothing left the list", async () => {
    backend.documentHistory.mockResolvedValue(null);
    await openLab();
    expect(byId("doc-history").hidden).toBe(true);
    expect(byId("doc-rows").querySelectorAll("tr")).toHaveLength(1);
  });
});

describe("the section belongs to the patient on screen", () => {
  it("the previous patient's section answered late never shows under the new patient's list", async () => {
    const late = deferred<HistoryRow[]>();
    backend.findPatient.mockImplementation(async (query: string) =>
      query === "MRN 1001" ? summary("1001", "ALPHA, Ann") : summary("2002", "BRAVO, Ben"),
    );
    backend.documentHistory.mockImplementation((mrn: string) => (mrn === "1001" ? late.promise : Promise.resolve(null)));
    await openLab("1001");
    await openLab("2002");
    expect(byId("banner-mrn").textContent).toBe("2002");
    late.resolve([replaced]);
    await settle(0);

    expect(byId("doc-history").hidden).toBe(true);
    expect(historyItems()).toHaveLength(0);
  });
});

describe("deleting asks why", () => {
  beforeEach(() => {
    backend.listDocumentsPage.mockResolvedValue({ category: "lab", rows: [{ ...row("a-1", "current.png"), can_remove: true }] });
    backend.documentHistory.mockResolvedValue([]);
    backend.deleteDocument.mockResolvedValue(undefined);
  });

  it("sends the reason as typed, shows the server's refusal in its words, then sends the reason given", async () => {
    // The rule (not empty, 500 characters at most) is the server's: the list only relays it.
    const refusal = { code: "invalid_input", message: "Server words: say why the document is deleted" };
    backend.deleteDocument.mockRejectedValueOnce(refusal);
    await openLab();
    const button = byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Delete current.png"]')!;
    button.click();
    const why = byId("doc-rows").querySelector<HTMLInputElement>('input[aria-label="Why delete current.png?"]')!;
    expect(why.hidden).toBe(false);
    expect(why.hasAttribute("maxlength")).toBe(false);

    why.value = "  ";
    button.click();
    await settle(0);
    expect(backend.deleteDocument).toHaveBeenCalledWith("1001", "a-1", "  ");
    expect(byId("tile-note").textContent).toBe(refusal.message);
    expect(document.activeElement).toBe(why);

    why.value = "Filed to the wrong patient";
    why.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await settle(0);
    expect(backend.deleteDocument).toHaveBeenCalledWith("1001", "a-1", "Filed to the wrong patient");
    expect(backend.documentHistory).toHaveBeenCalledTimes(2);
  });
});
