// Wrong patient: the banner and tiles must only ever show the patient last asked for.
// Driven through the real patient search (typing, suggestions, Find patient) with a fake core
// whose answers each test settles in the order it chooses.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CachedHit, PatientSummary } from "../backend/types";
import { type Deferred, deferred, loadPage, settle, summary } from "../documents/test-support";
import { byId } from "../shell/dom";

const backend = vi.hoisted(() => ({
  findPatient: vi.fn(),
  revalidatePatient: vi.fn(),
  // The record's poll never answers here (live-refresh.test covers it).
  recordVersion: vi.fn(() => new Promise(() => undefined)),
  searchOffline: vi.fn(),
  pinPatient: vi.fn(),
  unpinPatient: vi.fn(),
  listDocumentsPage: vi.fn(),
  searchDocuments: vi.fn(),
  documentThumbnail: vi.fn(),
  documentHistory: vi.fn(),
  onUploadProgress: vi.fn(),
}));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));
// The category list imports the viewer, which loads pdf.js; these tests never render a PDF.
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => ({ GlobalWorkerOptions: {}, getDocument: vi.fn() }));

/** Pending patient answers, by query, for the test to settle. */
let finds: Map<string, Deferred<PatientSummary>>;
/** Pending suggestion answers, by what was typed. */
let hits: Map<string, Deferred<CachedHit[]>>;
let sessionEnded: ReturnType<typeof vi.fn>;

beforeEach(async () => {
  vi.resetModules();
  for (const fn of Object.values(backend)) fn.mockReset();
  loadPage();
  finds = new Map();
  hits = new Map();
  backend.findPatient.mockImplementation((query: string) => {
    const answer = deferred<PatientSummary>();
    finds.set(query, answer);
    return answer.promise;
  });
  backend.searchOffline.mockImplementation((text: string) => {
    const answer = deferred<CachedHit[]>();
    hits.set(text, answer);
    return answer.promise;
  });
  backend.listDocumentsPage.mockReturnValue(new Promise(() => undefined));
  backend.pinPatient.mockReturnValue(new Promise(() => undefined));
  backend.documentHistory.mockResolvedValue(null);
  sessionEnded = vi.fn();
  const search = await import("./search");
  search.initPatientSearch(sessionEnded);
});

const ann = summary("1001", "ALPHA, Ann");
const ben = summary("2002", "BRAVO, Ben");
const hit = (mrn: string, label: string): CachedHit => ({ mrn, doc_id: "", label });

/** Staff type `text` and the suggestion debounce runs. */
async function type(text: string): Promise<void> {
  const query = byId<HTMLInputElement>("patient-query");
  query.value = text;
  query.dispatchEvent(new Event("input"));
  await settle(150);
}

function searchFor(text: string): void {
  byId<HTMLInputElement>("patient-query").value = text;
  byId<HTMLFormElement>("search-form").requestSubmit();
}

function suggestionLabels(): string[] {
  return [...byId("search-suggestions").querySelectorAll("button")].map((b) => b.textContent ?? "");
}

function clickSuggestion(label: string): void {
  [...byId("search-suggestions").querySelectorAll("button")].find((b) => b.textContent === label)!.click();
}

/** Ann searched by MRN (still pending), then Ben picked from the suggestions (still pending). */
async function annThenBenFromSuggestion(): Promise<void> {
  searchFor("MRN 1001");
  await type("bra");
  hits.get("bra")!.resolve([hit("2002", "BRAVO, Ben")]);
  await settle(0);
  clickSuggestion("BRAVO, Ben");
  await settle(0);
  expect(backend.findPatient).toHaveBeenLastCalledWith("MRN 2002");
}

describe("the patient on screen is the one last asked for", () => {
  it("a slow answer for the previous search never replaces the patient searched for since", async () => {
    await annThenBenFromSuggestion();
    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);
    finds.get("MRN 1001")!.resolve(ann);
    await settle(0);

    expect(byId("banner-mrn").textContent).toBe("2002");
    expect(byId("banner-name").textContent).toBe("BRAVO, Ben");
    byId("tiles").querySelector<HTMLButtonElement>('button[data-category="lab"]')!.click();
    expect(backend.listDocumentsPage).toHaveBeenCalledWith("2002", "lab", null, 50);
    expect(backend.listDocumentsPage).not.toHaveBeenCalledWith("1001", "lab", null, 50);
    byId("pin-patient").click();
    expect(backend.pinPatient).toHaveBeenCalledWith("2002", expect.any(Function));
  });

  it("an answer for the previous search arriving first is not shown while the newer search is pending", async () => {
    await annThenBenFromSuggestion();
    finds.get("MRN 1001")!.resolve(ann);
    await settle(0);

    expect(byId("patient-banner").textContent).toBe("");
    expect(byId("patient-record").hidden).toBe(true);
    expect(byId("search-busy").hidden).toBe(false);
    expect(byId<HTMLButtonElement>("search-submit").disabled).toBe(true);

    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);
    expect(byId("banner-mrn").textContent).toBe("2002");
    expect(byId("search-busy").hidden).toBe(true);
    expect(byId<HTMLButtonElement>("search-submit").disabled).toBe(false);
  });

  it("an error for the previous search is dropped silently", async () => {
    await annThenBenFromSuggestion();
    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);
    finds.get("MRN 1001")!.reject({ code: "invalid_input", message: "Ann's search failed" });
    await settle(0);

    expect(byId("search-error").textContent).toBe("");
    expect(byId("search-error").hidden).toBe(true);
    expect(byId("patient-query").hasAttribute("aria-invalid")).toBe(false);
    expect(byId("patient-record").hidden).toBe(false);
    expect(byId("banner-mrn").textContent).toBe("2002");
  });

  it("a 'not signed in' for the previous search does not end the session", async () => {
    await annThenBenFromSuggestion();
    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);
    finds.get("MRN 1001")!.reject({ code: "unauthenticated", message: "Please sign in" });
    await settle(0);

    expect(sessionEnded).not.toHaveBeenCalled();
    expect(byId("banner-mrn").textContent).toBe("2002");
  });

  it("an error for the search asked for last is still shown", async () => {
    await annThenBenFromSuggestion();
    finds.get("MRN 1001")!.resolve(ann);
    finds.get("MRN 2002")!.reject({ code: "not_found", message: "No patient with MRN 2002" });
    await settle(0);

    expect(byId("search-error").textContent).toBe("No patient with MRN 2002");
    expect(byId("patient-record").hidden).toBe(true);
  });

  it("a search answered after sign-out draws nothing", async () => {
    searchFor("MRN 1001");
    const search = await import("./search");
    search.resetPatientSearch();
    finds.get("MRN 1001")!.resolve(ann);
    await settle(0);

    expect(byId("patient-banner").textContent).toBe("");
    expect(byId("patient-record").hidden).toBe(true);
  });
});

describe("suggestions follow what was typed last", () => {
  it("older suggestions arriving late never replace newer ones", async () => {
    await type("al");
    await type("alp");
    hits.get("alp")!.resolve([hit("1001", "ALPHA, Ann")]);
    await settle(0);
    hits.get("al")!.resolve([hit("3003", "ALLEN, Al"), hit("1001", "ALPHA, Ann")]);
    await settle(0);

    expect(suggestionLabels()).toEqual(["ALPHA, Ann"]);
  });

  it("suggestions for text since cleared do not come back", async () => {
    await type("al");
    await type("a"); // too short to suggest: the list is emptied at once
    hits.get("al")!.resolve([hit("3003", "ALLEN, Al")]);
    await settle(0);

    expect(suggestionLabels()).toEqual([]);
    expect(byId("search-suggestions").hidden).toBe(true);
  });

  it("suggestions arriving after a search started stay hidden", async () => {
    await type("al");
    searchFor("MRN 1001");
    hits.get("al")!.resolve([hit("3003", "ALLEN, Al")]);
    await settle(0);

    expect(byId("search-suggestions").hidden).toBe(true);
  });

  it("the newest suggestions still show and pick the patient", async () => {
    await type("bra");
    hits.get("bra")!.resolve([hit("2002", "BRAVO, Ben")]);
    await settle(0);
    expect(byId("search-suggestions").hidden).toBe(false);
    clickSuggestion("BRAVO, Ben");
    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);

    expect(byId("banner-mrn").textContent).toBe("2002");
  });

  it("each suggestion is an option of the listbox: the list items between them are presentational", async () => {
    await type("bra");
    hits.get("bra")!.resolve([hit("2002", "BRAVO, Ben")]);
    await settle(0);
    const list = byId("search-suggestions");
    expect(list.getAttribute("role")).toBe("listbox");
    for (const li of list.children) expect(li.getAttribute("role")).toBe("presentation");
    expect([...list.querySelectorAll('[role="option"]')].map((o) => o.textContent)).toEqual(["BRAVO, Ben"]);
  });
});

/** Ann on screen, then Ben found: each answered in turn. */
async function annThenBen(): Promise<void> {
  searchFor("MRN 1001");
  finds.get("MRN 1001")!.resolve(ann);
  await settle(0);
  searchFor("MRN 2002");
  finds.get("MRN 2002")!.resolve(ben);
  await settle(0);
  expect(byId("banner-mrn").textContent).toBe("2002");
}

describe("answers about the previous patient never land on the patient on screen", () => {
  it("a re-read of the previous patient's banner answered late never replaces the new patient", async () => {
    const reread = deferred<PatientSummary | null>();
    backend.revalidatePatient.mockReturnValue(reread.promise);
    searchFor("MRN 1001");
    finds.get("MRN 1001")!.resolve({ ...ann, synced_at: "2024-05-01T10:00:00Z" });
    await settle(0);
    expect(backend.revalidatePatient).toHaveBeenCalledWith("1001");
    searchFor("MRN 2002");
    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);
    reread.resolve({ ...ann, banner: { ...ann.banner, display_name: "ALPHA, Ann (changed)" } });
    await settle(0);

    expect(byId("banner-mrn").textContent).toBe("2002");
    expect(byId("banner-name").textContent).toBe("BRAVO, Ben");
  });

  it("the previous patient's download for offline use finishing late says nothing about the new patient", async () => {
    const pinned = deferred<{ documents: number; skipped: number }>();
    let progress: (done: number, total: number) => void = () => undefined;
    backend.pinPatient.mockImplementation((_mrn: string, onProgress: typeof progress) => {
      progress = onProgress;
      return pinned.promise;
    });
    searchFor("MRN 1001");
    finds.get("MRN 1001")!.resolve(ann);
    await settle(0);
    byId("pin-patient").click();
    expect(backend.pinPatient).toHaveBeenCalledWith("1001", expect.any(Function));
    searchFor("MRN 2002");
    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);
    progress(3, 4);
    pinned.resolve({ documents: 4, skipped: 0 });
    await settle(0);

    expect(byId("pin-state").textContent).toBe("");
    expect(byId("pin-patient").textContent).toBe("Keep this patient offline");
    expect(byId("pin-status").textContent).toBe("");
  });

  it("the previous patient's 'no longer kept offline' answered late leaves the new patient's state alone", async () => {
    const unpinned = deferred<undefined>();
    backend.unpinPatient.mockReturnValue(unpinned.promise);
    searchFor("MRN 1001");
    finds.get("MRN 1001")!.resolve({ ...ann, pinned: true });
    await settle(0);
    byId("pin-patient").click();
    searchFor("MRN 2002");
    finds.get("MRN 2002")!.resolve({ ...ben, pinned: true });
    await settle(0);
    unpinned.resolve(undefined);
    await settle(0);

    expect(byId("pin-state").textContent).toBe("Kept offline on this computer");
    expect(byId("pin-status").textContent).toBe("");
  });

  it("a document search for the patient on screen names that patient", async () => {
    backend.searchDocuments.mockReturnValue(new Promise(() => undefined));
    await annThenBen();
    byId<HTMLInputElement>("doc-search").value = "bloods";
    byId<HTMLFormElement>("doc-search-form").requestSubmit();
    expect(backend.searchDocuments).toHaveBeenCalledWith("2002", "bloods");
  });
});

describe("keeping a patient offline", () => {
  it("a pinned patient says so, and the button stops keeping them offline", async () => {
    backend.unpinPatient.mockResolvedValue(undefined);
    searchFor("MRN 2002");
    finds.get("MRN 2002")!.resolve({ ...ben, pinned: true });
    await settle(0);
    expect(byId("pin-state").textContent).toBe("Kept offline on this computer");
    expect(byId("pin-patient").textContent).toBe("Stop keeping offline");
    byId("pin-patient").click();
    await settle(0);
    expect(backend.unpinPatient).toHaveBeenCalledWith("2002");
    expect(backend.pinPatient).not.toHaveBeenCalled();
    expect(byId("pin-state").textContent).toBe("");
    expect(byId("pin-patient").textContent).toBe("Keep this patient offline");
  });

  it("a patient not pinned offers to keep them offline", async () => {
    searchFor("MRN 1001");
    finds.get("MRN 1001")!.resolve(ann);
    await settle(0);
    expect(byId("pin-patient").textContent).toBe("Keep this patient offline");
    byId("pin-patient").click();
    expect(backend.pinPatient).toHaveBeenCalledWith("1001", expect.any(Function));
  });

  it("the export bar is hidden from users who may not export", async () => {
    searchFor("MRN 1001");
    finds.get("MRN 1001")!.resolve({ ...ann, can_export: false });
    await settle(0);
    expect(byId("export-bar").hidden).toBe(true);
    searchFor("MRN 2002");
    finds.get("MRN 2002")!.resolve(ben);
    await settle(0);
    expect(byId("export-bar").hidden).toBe(false);
  });
});

describe("ten digits that are one patient's NHS number and another's MRN", () => {
  // As the core and the server word it (QueryError::choices): the UI builds no reading itself.
  const ambiguous = {
    code: "ambiguous_query",
    message: "943 476 5919 is both an NHS number and an MRN here: choose which you mean",
    choices: [
      { label: "NHS number 943 476 5919", query: "NHS 9434765919" },
      { label: "MRN 9434765919", query: "MRN 9434765919" },
    ],
  };

  function choices(): HTMLButtonElement[] {
    return [...byId("search-error").querySelectorAll<HTMLButtonElement>("button")];
  }

  it("offers both readings, shows neither patient, and each choice searches with that reading", async () => {
    searchFor("943 476 5919");
    finds.get("943 476 5919")!.reject(ambiguous);
    await settle(0);

    expect(byId("patient-record").hidden).toBe(true);
    expect(byId("search-error").textContent).toContain("choose which you mean");
    expect(choices().map((b) => b.textContent)).toEqual(["NHS number 943 476 5919", "MRN 9434765919"]);
    expect(document.activeElement).toBe(choices()[0]);

    choices()[1].click();
    await settle(0);
    expect(backend.findPatient).toHaveBeenLastCalledWith("MRN 9434765919");
    finds.get("MRN 9434765919")!.resolve(ann);
    await settle(0);
    expect(byId("banner-mrn").textContent).toBe("1001");
    expect(choices()).toEqual([]);

    searchFor("9434765919");
    finds.get("9434765919")!.reject(ambiguous);
    await settle(0);
    choices()[0].click();
    await settle(0);
    expect(backend.findPatient).toHaveBeenLastCalledWith("NHS 9434765919");
  });

  it("offers the readings the answer names, in its words, and none when it names none", async () => {
    searchFor("943 476 5919");
    const worded = [
      { label: "NHS no. 943 476 5919 (server words)", query: "NHS 9434765919" },
      { label: "Hospital number 9434765919", query: "MRN 9434765919" },
    ];
    finds.get("943 476 5919")!.reject({ ...ambiguous, choices: worded });
    await settle(0);
    expect(choices().map((b) => b.textContent)).toEqual(worded.map((c) => c.label));

    searchFor("9434765919");
    finds.get("9434765919")!.reject({ code: ambiguous.code, message: ambiguous.message });
    await settle(0);
    expect(byId("search-error").textContent).toBe(ambiguous.message);
    expect(choices()).toEqual([]);
  });
});
