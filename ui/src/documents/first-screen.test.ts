// A patient opens in one request (issue 25): the find's first screen of the first blue tile is
// drawn with no list request; "Show more" lists the next page below it, from the cursor the
// screen came with; an answer for a patient or category no longer on screen never draws.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { FirstRows, PatientSummary } from "../backend/types";
import { byId } from "../shell/dom";
import { type Deferred, deferred, loadPage, row, settle, summary, tile } from "./test-support";

const backend = vi.hoisted(() => ({
  findPatient: vi.fn(),
  revalidatePatient: vi.fn(),
  recordVersion: vi.fn(() => new Promise(() => undefined)),
  listDocumentsPage: vi.fn(),
  documentThumbnail: vi.fn(),
  documentHistory: vi.fn(),
}));
const platform = vi.hoisted(() => ({ kind: "desktop", offline: true, pinning: true, saveDialog: true }));
vi.mock("../backend/api", () => ({ backend, platform }));
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({ GlobalWorkerOptions: {}, getDocument: vi.fn() }));

/** The page requests made, in order, each for the test to answer. */
let lists: { mrn: string; after: string | null; answer: Deferred<FirstRows> }[];

/** A patient whose lab tile holds 3 documents, the find answering the first 2. */
function opened(mrn: string, more = true): PatientSummary {
  const first = [row(`${mrn}-1`, "one.png"), row(`${mrn}-2`, "two.png")];
  return {
    ...summary(mrn, mrn === "1001" ? "ALPHA, Ann" : "BRAVO, Ben"),
    tiles: [tile(3)],
    first_rows: { category: "lab", rows: first, ...(more ? { next: `${mrn}-2` } : {}) },
  };
}

beforeEach(async () => {
  vi.resetModules();
  for (const fn of Object.values(backend)) fn.mockReset();
  loadPage();
  lists = [];
  backend.findPatient.mockImplementation(async (query: string) => opened(query.replace("MRN ", "")));
  backend.listDocumentsPage.mockImplementation((mrn: string, _category: string, after: string | null) => {
    const answer = deferred<FirstRows>();
    lists.push({ mrn, after, answer });
    return answer.promise;
  });
  backend.documentThumbnail.mockResolvedValue(new ArrayBuffer(0));
  backend.documentHistory.mockResolvedValue(null);
  const list = await import("./category-list");
  const search = await import("../patient/search");
  list.initCategoryList(() => undefined);
  search.initPatientSearch(() => undefined);
});

async function findPatient(mrn: string): Promise<void> {
  byId<HTMLInputElement>("patient-query").value = `MRN ${mrn}`;
  byId<HTMLFormElement>("search-form").requestSubmit();
  await settle(0);
}

const listedIds = () => [...byId("doc-rows").querySelectorAll("tr")].map((tr) => tr.dataset.docId ?? "");
const showMore = () => byId<HTMLButtonElement>("doc-show-more");

describe("the first screen comes with the find", () => {
  it("draws the first blue tile's rows from the find, with no list request", async () => {
    await findPatient("1001");
    expect(byId("category-view").hidden).toBe(false);
    expect(listedIds()).toEqual(["1001-1", "1001-2"]);
    expect(byId("tiles").querySelector('button[data-category="lab"]')!.getAttribute("aria-pressed")).toBe("true");
    expect(backend.listDocumentsPage).not.toHaveBeenCalled();
  });

  it("offers Show more only when the category has more rows", async () => {
    backend.findPatient.mockImplementation(async () => opened("1001", false));
    await findPatient("1001");
    expect(listedIds()).toEqual(["1001-1", "1001-2"]);
    expect(showMore().hidden).toBe(true);
  });

  it("Show more lists the next page once, however often it is pressed, below the rows shown", async () => {
    await findPatient("1001");
    expect(showMore().hidden).toBe(false);
    showMore().click();
    showMore().click();
    await settle(0);
    expect(lists.map((l) => [l.mrn, l.after])).toEqual([["1001", "1001-2"]]);
    expect(backend.listDocumentsPage).toHaveBeenCalledWith("1001", "lab", "1001-2", 50);
    expect(showMore().disabled).toBe(true);
    lists[0]!.answer.resolve({ category: "lab", rows: [row("1001-3", "three.png")], next: "1001-3" });
    await settle(0);
    expect(listedIds()).toEqual(["1001-1", "1001-2", "1001-3"]);
    // More follow: the next press asks for the page after the last row shown.
    showMore().click();
    await settle(0);
    expect(lists.map((l) => l.after)).toEqual(["1001-2", "1001-3"]);
    lists[1]!.answer.resolve({ category: "lab", rows: [row("1001-4", "four.png")] });
    await settle(0);
    expect(listedIds()).toEqual(["1001-1", "1001-2", "1001-3", "1001-4"]);
    expect(showMore().hidden).toBe(true);
  });

  it("a page whose cursor row went says so and keeps the rows shown", async () => {
    await findPatient("1001");
    showMore().click();
    await settle(0);
    lists[0]!.answer.reject({ code: "invalid_input", message: "The list changed since its first page: open the category again" });
    await settle(0);
    expect(listedIds()).toEqual(["1001-1", "1001-2"]);
    expect(byId("tile-note").textContent).toContain("The list changed");
  });

  it("a page for the previous patient is dropped: the new patient's first screen stays", async () => {
    await findPatient("1001");
    showMore().click();
    await findPatient("2002");
    lists[0]!.answer.resolve({ category: "lab", rows: [row("1001-3", "ann-three.png")] });
    await settle(0);
    expect(byId("banner-mrn").textContent).toBe("2002");
    expect(listedIds()).toEqual(["2002-1", "2002-2"]);
    expect(showMore().hidden).toBe(false);
  });

  it("presses only the first screen's tile, not one left pressed from the patient before", async () => {
    const preop = { ...tile(1), category: "preop", label: "Preop", accessible_name: "Preop, 1 document" };
    backend.findPatient.mockImplementation(async (query: string) => {
      const found = opened(query.replace("MRN ", ""));
      return { ...found, tiles: [preop, ...found.tiles] };
    });
    await findPatient("1001");
    byId("tiles").querySelector<HTMLButtonElement>('button.tile[data-category="preop"]')!.click();
    await findPatient("2002");
    const pressed = [...byId("tiles").querySelectorAll<HTMLElement>('button.tile[aria-pressed="true"]')];
    expect(pressed.map((b) => b.dataset.category)).toEqual(["lab"]);
  });
});
