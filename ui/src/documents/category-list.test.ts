// Wrong patient, wrong document: the list must only ever show the patient on the banner.
// Driven through the real patient search, tiles and list, with a fake core that answers in
// the order each test chooses.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DocumentRow } from "../backend/types";
import { byId } from "../shell/dom";
import { type Deferred, deferred, key, loadPage, pendingLists, row, settle, summary } from "./test-support";

const backend = vi.hoisted(() => ({
  findPatient: vi.fn(),
  revalidatePatient: vi.fn(),
  // The record's poll never answers here (live-refresh.test covers it).
  recordVersion: vi.fn(() => new Promise(() => undefined)),
  searchOffline: vi.fn(),
  listDocumentsPage: vi.fn(),
  searchDocuments: vi.fn(),
  documentThumbnail: vi.fn(),
  exportDocuments: vi.fn(),
  openDocument: vi.fn(),
  stampDocument: vi.fn(),
  detachDocument: vi.fn(),
  deleteDocument: vi.fn(),
  documentHistory: vi.fn(),
  onUploadProgress: vi.fn(),
}));
const platform = vi.hoisted(() => ({ kind: "desktop", offline: true, pinning: true, saveDialog: true }));
vi.mock("../backend/api", () => ({ backend, platform }));
// The viewer (opened by Open) loads pdf.js; these tests never render a PDF.
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({ GlobalWorkerOptions: {}, getDocument: vi.fn() }));

/** Pending list answers, by MRN, for the test to settle. */
let lists: Map<string, Deferred<DocumentRow[]>>;
let list: typeof import("./category-list");

beforeEach(async () => {
  vi.resetModules();
  for (const fn of Object.values(backend)) fn.mockReset();
  platform.saveDialog = true;
  loadPage();
  backend.findPatient.mockImplementation(async (query: string) => {
    const mrn = query.replace("MRN ", "");
    return summary(mrn, mrn === "1001" ? "ALPHA, Ann" : "BRAVO, Ben");
  });
  // A category's first page holds every row these tests list (no cursor).
  lists = pendingLists(backend.listDocumentsPage);
  backend.openDocument.mockReturnValue(new Promise(() => undefined));
  // Nothing replaced or detached: the section under the list stays hidden.
  backend.documentHistory.mockResolvedValue(null);
  list = await import("./category-list");
  const search = await import("../patient/search");
  list.initCategoryList(() => undefined);
  search.initPatientSearch(() => undefined);
});

async function findPatient(mrn: string): Promise<void> {
  byId<HTMLInputElement>("patient-query").value = `MRN ${mrn}`;
  byId<HTMLFormElement>("search-form").requestSubmit();
  await settle(0);
  expect(byId("banner-mrn").textContent).toBe(mrn);
}

function openLabTile(): void {
  byId("tiles").querySelector<HTMLButtonElement>('button[data-category="lab"]')!.click();
}

function listedIds(): string[] {
  return [...byId("doc-rows").querySelectorAll("tr")].map((tr) => tr.dataset.docId ?? "");
}

const annRows = [row("a-1", "ann-bloods.png"), row("a-2", "ann-xray.png")];
const benRows = [row("b-1", "ben-bloods.png")];

describe("the document list follows the patient on the banner", () => {
  it("a slow list for the previous patient never renders under the new patient", async () => {
    await findPatient("1001");
    openLabTile();
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    lists.get("1001")!.resolve(annRows);
    await settle(0);

    expect(byId("banner-mrn").textContent).toBe("2002");
    expect(listedIds()).toEqual(["b-1"]);
    byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Open ben-bloods.png"]')!.click();
    expect(backend.openDocument).toHaveBeenCalledWith("2002", "b-1", false);
    expect(backend.openDocument).not.toHaveBeenCalledWith("1001", expect.anything(), expect.anything());
  });

  it("a list arriving after the patient changed is dropped, with no list shown for the new patient yet", async () => {
    await findPatient("1001");
    openLabTile();
    await findPatient("2002");
    lists.get("1001")!.resolve(annRows);
    await settle(0);

    expect(byId("category-view").hidden).toBe(true);
    expect(listedIds()).toEqual([]);
  });

  it("an error for the previous patient's list is dropped silently", async () => {
    await findPatient("1001");
    openLabTile();
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    lists.get("1001")!.reject({ code: "unreachable", message: "Ann's list failed" });
    await settle(0);

    expect(byId("tile-note").textContent).toBe("");
    expect(byId("category-view").hidden).toBe(false);
    expect(listedIds()).toEqual(["b-1"]);
  });

  it("a slow document search for the previous patient never replaces the new patient's list", async () => {
    const annSearch = deferred<DocumentRow[]>();
    backend.searchDocuments.mockReturnValue(annSearch.promise);
    await findPatient("1001");
    byId<HTMLInputElement>("doc-search").value = "bloods";
    byId<HTMLFormElement>("doc-search-form").requestSubmit();
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    annSearch.resolve(annRows);
    await settle(0);

    expect(byId("category-title").textContent).toBe("Lab (1)");
    expect(listedIds()).toEqual(["b-1"]);
  });

  it("a reload started for the previous patient never brings their rows back", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    void list.reloadCategory(); // e.g. an upload for Ann just landed
    const annReload = lists.get("1001")!;
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    annReload.resolve(annRows);
    await settle(0);

    expect(byId("category-title").textContent).toBe("Lab (1)");
    expect(listedIds()).toEqual(["b-1"]);
  });

  it("a stamp answered after the patient changed says nothing under the new patient", async () => {
    const stamped = deferred<DocumentRow>();
    backend.stampDocument.mockReturnValue(stamped.promise);
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Verify: ann-bloods.png"]')!.click();
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    stamped.resolve({ ...annRows[0]!, stamp: "verified by dr.okafor" });
    await settle(0);

    expect(byId("tile-note").textContent).toBe("");
    expect(listedIds()).toEqual(["b-1"]);
  });

  it("a stamp clicked on patient A's row after the list moved to patient B sends nothing and draws nothing into B's list", async () => {
    backend.stampDocument.mockResolvedValue({ ...benRows[0]!, id: "a-1", file_name: "ann-bloods.png", stamp: "verified by dr.okafor" });
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    const annVerify = byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Verify: ann-bloods.png"]')!;
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    annVerify.click(); // a handler left from Ann's list (its row is no longer on screen)
    await settle(0);

    expect(backend.stampDocument).not.toHaveBeenCalled();
    expect(byId("tile-note").textContent).toBe("");
    expect(listedIds()).toEqual(["b-1"]);
    expect(byId("doc-rows").querySelector(".stamp-cell")?.textContent).toBe("—");
  });

  it("a delete clicked and confirmed on patient A's row after the list moved to patient B sends nothing", async () => {
    backend.deleteDocument.mockResolvedValue(undefined);
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows.map((r) => ({ ...r, can_remove: true })));
    await settle(0);
    const annDelete = byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Delete ann-bloods.png"]')!;
    const annWhy = byId("doc-rows").querySelector<HTMLInputElement>('input[aria-label="Why delete ann-bloods.png?"]')!;
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    annDelete.click(); // would arm it
    annWhy.value = "Filed in error";
    key(annWhy, "Enter"); // would confirm it
    annDelete.click();
    await settle(0);

    expect(backend.deleteDocument).not.toHaveBeenCalled();
    expect(backend.detachDocument).not.toHaveBeenCalled();
    expect(byId("tile-note").textContent).toBe("");
    expect(listedIds()).toEqual(["b-1"]);
  });

  it("a box ticked on patient A's row after the list moved to patient B selects nothing in B's list", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    const annPick = byId("doc-rows").querySelector<HTMLInputElement>('input[aria-label="Select ann-xray.png"]')!;
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    annPick.checked = true;
    annPick.dispatchEvent(new Event("change"));

    expect(byId<HTMLButtonElement>("export-selected").disabled).toBe(true);
    expect(byId("export-selected").textContent).toBe("Export selected…");
    backend.exportDocuments.mockResolvedValue({ files: 1, bytes: 10, path: "chartdesk-export-2002.zip" });
    byId("export-all").click();
    await settle(0);
    expect(backend.exportDocuments).toHaveBeenCalledWith("2002", ["b-1"], []);
  });

  it("leaving the patient takes their rows off the page, not only out of sight", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    expect(listedIds()).toEqual(["a-1", "a-2"]);
    await findPatient("2002");

    expect(byId("category-view").hidden).toBe(true);
    expect(listedIds()).toEqual([]);
  });

  it("a thumbnail for the previous patient's document answered late is never made into an image", async () => {
    const made = vi.fn(() => "blob:thumb");
    URL.createObjectURL = made;
    const thumb = deferred<ArrayBuffer>();
    backend.documentThumbnail.mockReturnValue(thumb.promise);
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve([{ ...annRows[0]!, has_thumbnail: true }]);
    await settle(0);
    expect(backend.documentThumbnail).toHaveBeenCalledWith("1001", "a-1");
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);
    thumb.resolve(new Uint8Array([0xff, 0xd8]).buffer);
    await settle(0);

    expect(made).not.toHaveBeenCalled();
    expect(listedIds()).toEqual(["b-1"]);
    expect(byId("doc-rows").querySelector("img")).toBeNull();
  });

  it("a thumbnail stays through a reload of the list and is given back when the patient changes", async () => {
    const revoked: string[] = [];
    URL.createObjectURL = () => "blob:ann-thumb";
    URL.revokeObjectURL = (url: string) => void revoked.push(url);
    backend.documentThumbnail.mockResolvedValue(new Uint8Array([0xff, 0xd8]).buffer);
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve([{ ...annRows[0]!, has_thumbnail: true }]);
    await settle(0);
    expect(byId("doc-rows").querySelector("img")?.getAttribute("src")).toBe("blob:ann-thumb");
    const reload = list.reloadCategory();
    lists.get("1001")!.resolve([{ ...annRows[0]!, has_thumbnail: true }]);
    await reload;
    expect(revoked).toEqual([]);
    expect(backend.documentThumbnail).toHaveBeenCalledTimes(1);
    await findPatient("2002");

    expect(revoked).toEqual(["blob:ann-thumb"]);
  });

  it("the same patient's list still loads and opens normally", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);

    expect(byId("category-view").hidden).toBe(false);
    expect(listedIds()).toEqual(["a-1", "a-2"]);
    byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Open ann-xray.png"]')!.click();
    expect(backend.openDocument).toHaveBeenCalledWith("1001", "a-2", false);
  });
});

describe("an export's words say what happened where", () => {
  async function exportBoth(): Promise<string> {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve([row("a-1", "one.pdf"), row("a-2", "two.pdf")]);
    await settle(0);
    backend.exportDocuments.mockResolvedValue({ files: 2, bytes: 2048, path: "chartdesk-export-1001.zip" });
    byId("export-all").click();
    await settle(0);
    expect(backend.exportDocuments).toHaveBeenCalledWith("1001", ["a-1", "a-2"], []);
    return byId("export-status").textContent ?? "";
  }

  it("the desktop says where it saved the ZIP", async () => {
    expect(await exportBoth()).toBe("Saved 2 documents (2.0 KB) to chartdesk-export-1001.zip");
  });

  it("the browser says its download has started, not that the file is saved", async () => {
    platform.saveDialog = false;
    expect(await exportBoth()).toBe("Downloading 2 documents (2.0 KB) as chartdesk-export-1001.zip: see your browser's downloads");
  });
});

describe("focus is never dropped when the list is redrawn", () => {
  it("after a stamp from the keyboard, focus moves from the gone Verify button to that row's Open button", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    backend.stampDocument.mockResolvedValue({ ...annRows[0]!, stamp: "verified by dr.okafor", stamp_action: null });
    const verify = byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Verify: ann-bloods.png"]')!;
    verify.focus();
    verify.click();
    await settle(0);
    expect(byId("doc-rows").querySelector('button[aria-label="Verify: ann-bloods.png"]')).toBeNull();
    expect(document.activeElement?.getAttribute("aria-label")).toBe("Open ann-bloods.png");
  });

  it("a filter redraw keeps focus on the same row's control", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    byId("doc-rows").querySelector<HTMLInputElement>('input[aria-label="Select ann-xray.png"]')!.focus();
    byId("doc-filter").dispatchEvent(new Event("input"));
    expect(document.activeElement?.getAttribute("aria-label")).toBe("Select ann-xray.png");
  });
});

describe("each row says what the server is doing with it", () => {
  it("a flagged file with no note is described by its scan verdict", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve([{ ...row("a-9", "bad.pdf"), scan_status: "infected" as const, can_open: false }]);
    await settle(0);
    const open = byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Open bad.pdf"]')!;
    expect(document.getElementById(open.getAttribute("aria-describedby")!)!.textContent).toBe("infected");
  });

  it("shows the status and duplicate notes, and a row that cannot be opened says why", async () => {
    await findPatient("1001");
    openLabTile();
    const checking = { ...row("a-1", "new-scan.tif"), scan_status: "pending" as const, can_open: false, status_note: "Checking for viruses…" };
    const twin = { ...row("a-2", "copy.pdf"), duplicate_note: "Same file as lab-report-2.pdf, added 03-Dec-2026" };
    lists.get("1001")!.resolve([checking, twin]);
    await settle(0);

    const [first, second] = [...byId("doc-rows").querySelectorAll("tr")];
    const open = first!.querySelector<HTMLButtonElement>('button[aria-label="Open new-scan.tif"]')!;
    expect(open.disabled).toBe(true);
    const why = document.getElementById(open.getAttribute("aria-describedby")!)!;
    expect(why.textContent).toBe("Checking for viruses…");
    expect(why.closest("td")!.textContent).toBe("new-scan.tifChecking for viruses…");
    expect(second!.querySelector(".duplicate-note")?.textContent).toBe("Same file as lab-report-2.pdf, added 03-Dec-2026");
    expect(second!.querySelector(".status-note")).toBeNull();
    expect(second!.querySelector('button[aria-label="Open copy.pdf"]')!.hasAttribute("aria-describedby")).toBe(false);
  });

  it("a search result says where the words were found", async () => {
    backend.searchDocuments.mockResolvedValue([{ ...row("a-3", "clinic-letter.png"), found_in: "Found on page 2" }, row("a-4", "bloods.pdf")]);
    await findPatient("1001");
    byId<HTMLInputElement>("doc-search").value = "physiotherapy";
    byId<HTMLFormElement>("doc-search-form").requestSubmit();
    await settle(0);

    const [first, second] = [...byId("doc-rows").querySelectorAll("tr")];
    expect(first!.querySelector(".found-in")?.textContent).toBe("Found on page 2");
    expect(second!.querySelector(".found-in")).toBeNull();
  });
});
