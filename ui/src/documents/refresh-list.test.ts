// The open record refreshed in place: a colleague's new document appears without moving the
// user's focus or selection, only the new document is announced, and a refresh for a patient
// no longer on screen reads and draws nothing. Through the real search, tiles and list.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DocumentRow } from "../backend/types";
import { byId } from "../shell/dom";
import { type Deferred, deferred, loadPage, row, settle, summary } from "./test-support";

const backend = vi.hoisted(() => ({
  findPatient: vi.fn(),
  revalidatePatient: vi.fn(),
  recordVersion: vi.fn(() => new Promise(() => undefined)),
  searchOffline: vi.fn(),
  listDocumentsPage: vi.fn(),
  documentThumbnail: vi.fn(),
  documentHistory: vi.fn(),
  onUploadProgress: vi.fn(),
}));
const platform = vi.hoisted(() => ({ kind: "desktop", offline: true, pinning: true, saveDialog: true }));
vi.mock("../backend/api", () => ({ backend, platform }));
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({ GlobalWorkerOptions: {}, getDocument: vi.fn() }));

let lists: Deferred<DocumentRow[]>[];
let list: typeof import("./category-list");

beforeEach(async () => {
  vi.resetModules();
  for (const fn of Object.values(backend)) fn.mockReset();
  loadPage();
  lists = [];
  backend.findPatient.mockImplementation(async (query: string) => summary(query.replace("MRN ", ""), "ALPHA, Ann"));
  backend.listDocumentsPage.mockImplementation((_mrn: string, category: string) => {
    const answer = deferred<DocumentRow[]>();
    lists.push(answer);
    return answer.promise.then((rows) => ({ category, rows }));
  });
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
}

function openLabTile(): void {
  byId("tiles").querySelector<HTMLButtonElement>('button[data-category="lab"]')!.click();
}

const listedIds = () => [...byId("doc-rows").querySelectorAll("tr")].map((tr) => tr.dataset.docId ?? "");
const annRows = [row("a-1", "ann-bloods.png"), row("a-2", "ann-xray.png")];

describe("the open list refreshes in place", () => {
  it("keeps focus on the same row's control and the selection, and announces only the new document", async () => {
    await findPatient("1001");
    openLabTile();
    lists[0].resolve(annRows);
    await settle(0);
    byId("doc-rows").querySelector<HTMLInputElement>('input[aria-label="Select ann-bloods.png"]')!.click();
    byId("doc-rows").querySelector<HTMLButtonElement>('button[aria-label="Verify: ann-xray.png"]')!.focus();

    const refreshed = list.refreshCategory("1001");
    await settle(0);
    lists[1].resolve([row("a-3", "colleague-scan.png"), ...annRows]);
    await refreshed;

    expect(listedIds()).toEqual(["a-3", "a-1", "a-2"]);
    expect(document.activeElement?.getAttribute("aria-label")).toBe("Verify: ann-xray.png");
    expect(byId<HTMLInputElement>("doc-rows").querySelector<HTMLInputElement>('input[aria-label="Select ann-bloods.png"]')!.checked).toBe(true);
    expect(byId("doc-list-status").textContent).toBe("1 new document");
  });

  it("does not announce the list again when nothing new arrived", async () => {
    await findPatient("1001");
    openLabTile();
    lists[0].resolve(annRows);
    await settle(0);
    const status = byId("doc-list-status");
    const said = vi.fn();
    new MutationObserver(said).observe(status, { childList: true, characterData: true, subtree: true });

    const refreshed = list.refreshCategory("1001");
    await settle(0);
    lists[1].resolve(annRows.map((r) => ({ ...r, stamp: "verified by dr.okafor" })));
    await refreshed;
    await settle(0);

    expect(said).not.toHaveBeenCalled();
    expect(status.textContent).toBe("2 documents listed");
  });

  it("reads nothing for a patient no longer on screen", async () => {
    await findPatient("1001");
    openLabTile();
    lists[0].resolve(annRows);
    await settle(0);
    await findPatient("2002");
    await list.refreshCategory("1001");
    expect(backend.listDocumentsPage).toHaveBeenCalledTimes(1);
  });
});
