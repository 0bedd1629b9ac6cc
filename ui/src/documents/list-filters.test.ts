// The list's name and date filters and "select all", and the count a screen reader hears: they
// are the list's own controls, so a new opening (another patient, tile or search) starts them
// empty. Through the real patient search, tiles and list, with a fake core.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DocumentRow } from "../backend/types";
import { byId } from "../shell/dom";
import { type Deferred, loadPage, pendingLists, row, settle, summary } from "./test-support";

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

/** Pending list answers, by MRN, for the test to settle. */
let lists: Map<string, Deferred<DocumentRow[]>>;
let list: typeof import("./category-list");

beforeEach(async () => {
  vi.resetModules();
  for (const fn of Object.values(backend)) fn.mockReset();
  loadPage();
  backend.findPatient.mockImplementation(async (query: string) => summary(query.replace("MRN ", ""), "ALPHA, Ann"));
  lists = pendingLists(backend.listDocumentsPage);
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

const listedIds = () => [...byId("doc-rows").querySelectorAll("tr")].map((tr) => tr.dataset.docId ?? "");
const annRows = [row("a-1", "ann-bloods.png"), row("a-2", "ann-xray.png")];
const benRows = [row("b-1", "ben-bloods.png")];

describe("the filters belong to one opening of the list", () => {
  it("a name filter typed for one patient does not hide documents of the next", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    const [filter, to] = [byId<HTMLInputElement>("doc-filter"), byId<HTMLInputElement>("doc-to")];
    filter.value = "xray";
    filter.dispatchEvent(new Event("input"));
    to.value = "31/02";
    to.dispatchEvent(new Event("input"));
    byId<HTMLInputElement>("select-all").click();
    expect(listedIds()).toEqual(["a-2"]);
    expect(to.getAttribute("aria-invalid")).toBe("true");
    await findPatient("2002");
    openLabTile();
    lists.get("2002")!.resolve(benRows);
    await settle(0);

    expect(listedIds()).toEqual(["b-1"]);
    expect([filter.value, byId<HTMLInputElement>("doc-from").value, to.value]).toEqual(["", "", ""]);
    expect(to.getAttribute("aria-invalid")).toBe("false");
    expect(byId<HTMLInputElement>("select-all").checked).toBe(false);
    expect(byId("doc-list-status").textContent).toBe("1 document listed");
  });

  it("a reload of the same list keeps the filter typed", async () => {
    await findPatient("1001");
    openLabTile();
    lists.get("1001")!.resolve(annRows);
    await settle(0);
    const filter = byId<HTMLInputElement>("doc-filter");
    filter.value = "xray";
    filter.dispatchEvent(new Event("input"));
    const reload = list.reloadCategory();
    lists.get("1001")!.resolve(annRows);
    await reload;

    expect(filter.value).toBe("xray");
    expect(listedIds()).toEqual(["a-2"]);
  });
});

describe("the list's date filters read UK dates", () => {
  it("a From date typed as dd/mm/yyyy keeps only documents from that day on; a bad one filters nothing", async () => {
    await findPatient("1001");
    openLabTile();
    const older = { ...row("a-1", "old.png"), created: "2026-11-30T10:00:00Z" };
    const newer = { ...row("a-2", "new.png"), created: "2026-12-02T09:00:00Z" };
    lists.get("1001")!.resolve([newer, older]);
    await settle(0);
    const from = byId<HTMLInputElement>("doc-from");

    from.value = "01/12/2026";
    from.dispatchEvent(new Event("input"));
    expect(listedIds()).toEqual(["a-2"]);
    expect(from.getAttribute("aria-invalid")).toBe("false");

    from.value = "12/31/2026";
    from.dispatchEvent(new Event("input"));
    expect(listedIds()).toEqual(["a-2", "a-1"]);
    expect(from.getAttribute("aria-invalid")).toBe("true");
  });
});

describe("a screen reader hears how many documents are listed", () => {
  it("says the count in a status line once the list is drawn, and again when a filter narrows it", async () => {
    await findPatient("1001");
    openLabTile();
    const status = byId("doc-list-status");
    expect(status.getAttribute("role")).toBe("status");
    expect(status.textContent).toBe("");
    lists.get("1001")!.resolve([row("a-1", "one.pdf"), row("a-2", "two.pdf")]);
    await settle(0);
    expect(status.textContent).toBe("2 documents listed");

    const filter = byId<HTMLInputElement>("doc-filter");
    filter.value = "two";
    filter.dispatchEvent(new Event("input"));
    expect(status.textContent).toBe("1 document of 2 listed (filtered)");
  });

  it("names one document, several, and how many a filter left", async () => {
    const { listedWords } = await import("./list-rows");
    expect(listedWords(1, 1)).toBe("1 document listed");
    expect(listedWords(0, 0)).toBe("0 documents listed");
    expect(listedWords(1, 3)).toBe("1 document of 3 listed (filtered)");
  });
});
