// Wrong document: the viewer shows only the document its title names, and each PDF page once.
// The core and pdf.js are faked; the viewer module is the real one.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { byId } from "../shell/dom";
import { FakeObserver } from "./pdf-test-support";
import { type Deferred, deferred, key, loadPage, row, settle } from "./test-support";

const backend = vi.hoisted(() => ({ openDocument: vi.fn() }));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));

/** pdf.js is faked (pdf-test-support): bytes `pdf:<pages>:<word>[:<pages with the word>]`. */
const pdfjs = await vi.hoisted(async () => (await import("./pdf-test-support")).fakePdfjs());
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => pdfjs);

/** Object URLs the viewer made, so a test can read which bytes an <img> shows. */
const blobs = new Map<string, Blob>();
let opens: Map<string, Deferred<ArrayBuffer>>;
let viewer: typeof import("./viewer");

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const scanA = row("doc-a", "ann-scan-A.png");
const scanB = row("doc-b", "ann-scan-B.png");
const reportPdf = row("doc-p", "ann-report.pdf", "application/pdf");

beforeEach(async () => {
  vi.resetModules();
  pdfjs.control.reset();
  FakeObserver.uninstall();
  backend.openDocument.mockReset();
  loadPage();
  blobs.clear();
  let n = 0;
  URL.createObjectURL = (b: Blob | MediaSource) => {
    const url = `blob:test/${++n}`;
    blobs.set(url, b as Blob);
    return url;
  };
  URL.revokeObjectURL = () => undefined;
  Element.prototype.scrollIntoView = () => undefined;
  opens = new Map();
  backend.openDocument.mockImplementation((_mrn: string, id: string) => {
    const answer = deferred<ArrayBuffer>();
    opens.set(id, answer);
    return answer.promise;
  });
  viewer = await import("./viewer");
  viewer.initViewer();
});

// A view left open would keep reading page sizes into the next test.
afterEach(() => viewer.closeViewer());

async function shownImageText(): Promise<string | null> {
  const img = byId("viewer-body").querySelector("img");
  const blob = img && blobs.get(img.getAttribute("src") ?? "");
  return blob ? blob.text() : null;
}

const pagesShown = () => [...byId("viewer-body").querySelectorAll("canvas")].map((c) => c.dataset.page);

describe("the viewer shows only the document named in its title", () => {
  it("a slow document never renders under the next document's title", async () => {
    viewer.openViewer("1001", [scanA, scanB], 0);
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-b")!.resolve(bytes("bytes of B"));
    await settle();
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await settle();

    expect(byId("viewer-title").textContent).toBe("ann-scan-B.png (2 of 2)");
    expect(await shownImageText()).toBe("bytes of B");
    expect(byId("viewer-body").querySelectorAll("img")).toHaveLength(1);
    expect(byId("viewer-status").textContent).toBe("");
  });

  it("a document that arrives after moving on is dropped even before the next one arrives", async () => {
    viewer.openViewer("1001", [scanA, scanB], 0);
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await settle();

    expect(byId("viewer-title").textContent).toBe("ann-scan-B.png (2 of 2)");
    expect(await shownImageText()).toBeNull();
    expect(byId("viewer-status").textContent).toBe("Opening…");
  });

  it("an error for the previous document is dropped silently", async () => {
    viewer.openViewer("1001", [scanA, scanB], 0);
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-b")!.resolve(bytes("bytes of B"));
    await settle();
    opens.get("doc-a")!.reject({ code: "unreachable", message: "A could not be opened" });
    await settle();

    expect(byId("viewer-status").textContent).toBe("");
    expect(await shownImageText()).toBe("bytes of B");
  });

  it("a document answered after the viewer closed is never drawn", async () => {
    viewer.openViewer("1001", [scanA], 0);
    viewer.closeViewer();
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await settle();

    expect(byId("viewer").hidden).toBe(true);
    expect(byId("viewer-body").childElementCount).toBe(0);
  });
});

describe("PDF pages", () => {
  it("two quick renders of a PDF never duplicate pages", async () => {
    pdfjs.control.paused = true;
    viewer.openViewer("1001", [reportPdf], 0);
    opens.get("doc-p")!.resolve(bytes("pdf:3:alpha"));
    await vi.waitFor(() => expect(pagesShown()).toHaveLength(1));
    key(byId("viewer"), "+"); // zoom: the PDF is drawn again while page 1 is still drawing
    await settle();
    pdfjs.control.resume();
    await settle(100);

    expect(pagesShown()).toEqual(["1", "2", "3"]);
    const find = byId<HTMLInputElement>("viewer-find-text");
    find.value = "alpha";
    find.dispatchEvent(new Event("input"));
    expect(byId("viewer-find-count").textContent).toBe("1 of 3 (page 1)");
  });

  it("a PDF still drawing stops adding pages once the next document is shown", async () => {
    pdfjs.control.paused = true;
    viewer.openViewer("1001", [reportPdf, scanB], 0);
    opens.get("doc-p")!.resolve(bytes("pdf:4:alpha"));
    await vi.waitFor(() => expect(pagesShown()).toHaveLength(1));
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-b")!.resolve(bytes("bytes of B"));
    await settle();
    pdfjs.control.resume();
    await settle(100);

    expect(byId("viewer-title").textContent).toBe("ann-scan-B.png (2 of 2)");
    expect(pagesShown()).toEqual([]);
    expect(await shownImageText()).toBe("bytes of B");
    expect(byId("viewer-find").hidden).toBe(true);
  });

  it("a PDF opens with every page once and find counts each page's match", async () => {
    viewer.openViewer("1001", [reportPdf], 0);
    opens.get("doc-p")!.resolve(bytes("pdf:2:beta"));
    await vi.waitFor(() => expect(byId("viewer-status").textContent).toBe(""));

    expect(pagesShown()).toEqual(["1", "2"]);
    const find = byId<HTMLInputElement>("viewer-find-text");
    find.value = "BETA";
    find.dispatchEvent(new Event("input"));
    expect(byId("viewer-find-count").textContent).toBe("1 of 2 (page 1)");
  });
});

describe("the viewer gives back what it holds", () => {
  it("an image's object URL is revoked when moving on and when the viewer closes, and not before", async () => {
    const revoked: string[] = [];
    URL.revokeObjectURL = (url: string) => void revoked.push(url);
    viewer.openViewer("1001", [scanA, scanB], 0);
    opens.get("doc-a")!.resolve(bytes("bytes of A"));
    await vi.waitFor(() => expect(byId("viewer-body").querySelector("img")).not.toBeNull());
    const first = byId("viewer-body").querySelector("img")!.getAttribute("src")!;
    expect(revoked).toEqual([]);
    key(byId("viewer"), "ArrowRight");
    expect(revoked).toEqual([first]);
    opens.get("doc-b")!.resolve(bytes("bytes of B"));
    await vi.waitFor(() => expect(byId("viewer-body").querySelector("img")).not.toBeNull());
    const second = byId("viewer-body").querySelector("img")!.getAttribute("src")!;
    viewer.closeViewer();
    expect(revoked).toEqual([first, second]);
  });
});

// A guard: the keys and buttons act on the session open, and a closed viewer has none.
describe("closing the viewer", () => {
  it("keys, buttons and find do nothing after the viewer is closed", async () => {
    await openPdf("pdf:3:alpha");
    search("alpha");
    expect(findCount()).toBe("1 of 3 (page 1)");
    const renders = pdfjs.control.renders.length;
    viewer.closeViewer();

    key(byId("viewer"), "+");
    byId("viewer-rotate").click();
    search("alpha");
    await settle(50);
    expect(pdfjs.control.renders).toHaveLength(renders);
    expect(byId("viewer-body").childElementCount).toBe(0);
    expect(findCount()).toBe("");
  });
});

describe("find belongs to the document shown", () => {
  it("a search still reading the previous document's text never marks or counts in the next one", async () => {
    FakeObserver.install();
    const letter = row("doc-q", "ann-letter.pdf", "application/pdf");
    viewer.openViewer("1001", [reportPdf, letter], 0);
    opens.get("doc-p")!.resolve(bytes("pdf:300:needle:250"));
    await vi.waitFor(() => expect(byId("viewer-status").textContent).toBe(""));
    FakeObserver.latest().near([1, 2, 3]);
    search("needle");
    expect(findCount()).toBe("Searching…");
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-q")!.resolve(bytes("pdf:2:plain"));
    await vi.waitFor(() => expect(findCount()).toBe("No matches"), reading);
    await settle(300);

    expect(byId("viewer-title").textContent).toBe("ann-letter.pdf (2 of 2)");
    expect(findCount()).toBe("No matches");
    expect(byId("viewer-body").querySelectorAll(".find-hit")).toHaveLength(0);
    expect(pagesShown()).not.toContain("250");
  });
});

describe("find marks the word it found", () => {
  it("the highlight covers the word's share of its line, and each occurrence is a match", async () => {
    // The fake page's one line is "a gamma here" (12 characters), 9 units wide from x = 5.
    await openPdf("pdf:1:gamma");
    search("gamma");
    const hit = byId("viewer-body").querySelector<HTMLElement>(".find-hit")!;
    expect(parseFloat(hit.style.left)).toBeCloseTo(5 + (9 * 2) / 12);
    expect(parseFloat(hit.style.width)).toBeCloseTo((9 * 5) / 12);
    search("a");
    // "a", g-a-mm-a: three in "a gamma here".
    expect(byId("viewer-find-count").textContent).toBe("1 of 3 (page 1)");
  });

  it("where text can be measured, the highlight follows the letters' widths, not their count", async () => {
    // A font whose "m" is three times as wide as every other letter.
    const widths = (t: string) => [...t].reduce((sum, c) => sum + (c === "m" ? 3 : 1), 0);
    const measure = { font: "", measureText: (t: string) => ({ width: widths(t) }) };
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = (() => measure) as unknown as typeof original;
    try {
      await openPdf("pdf:1:gamma");
      search("gamma");
      const hit = byId("viewer-body").querySelector<HTMLElement>(".find-hit")!;
      // "a gamma here" is 16 wide; "a " is 2 of it and "gamma" 9.
      expect(parseFloat(hit.style.left)).toBeCloseTo(5 + (9 * 2) / 16);
      expect(parseFloat(hit.style.width)).toBeCloseTo((9 * 9) / 16);
    } finally {
      HTMLCanvasElement.prototype.getContext = original;
    }
  });
});

/** Opens a one-PDF list and waits until its first pages are drawn. */
async function openPdf(spec: string): Promise<void> {
  viewer.openViewer("1001", [reportPdf], 0);
  opens.get("doc-p")!.resolve(bytes(spec));
  await vi.waitFor(() => expect(byId("viewer-status").textContent).toBe(""));
}

function search(text: string): void {
  const find = byId<HTMLInputElement>("viewer-find-text");
  find.value = text;
  find.dispatchEvent(new Event("input"));
}

/** Find reads all 300 pages' text first: allow it time on a busy machine. */
const reading = { timeout: 5000 };
const findCount = () => byId("viewer-find-count").textContent;
/** The page whose placeholder holds the current match's highlight (null for none). */
const currentHitPage = () => byId("viewer-body").querySelector(".find-hit.current")?.closest<HTMLElement>(".pdf-page")?.dataset.page ?? null;

describe("a long PDF keeps only the pages near the viewport", () => {
  it("a 300-page PDF renders only the pages near the viewport", async () => {
    FakeObserver.install();
    await openPdf("pdf:300:alpha");

    expect(byId("viewer-body").querySelectorAll(".pdf-page")).toHaveLength(300);
    expect(pagesShown()).toEqual(["1"]);
    FakeObserver.latest().near([1, 2, 3]);
    await vi.waitFor(() => expect(pdfjs.control.renders.map((r) => r.page)).toEqual([1, 2, 3]));
    await settle();
    expect(pagesShown()).toEqual(["1", "2", "3"]);
    expect(byId("viewer-status").textContent).toBe("");
  });

  it("without IntersectionObserver a 300-page PDF draws its first pages only", async () => {
    await openPdf("pdf:300:alpha");

    expect(byId("viewer-body").querySelectorAll(".pdf-page")).toHaveLength(300);
    expect(pagesShown()).toEqual(["1", "2", "3"]);
    await settle(50);
    expect(pdfjs.control.renders).toHaveLength(3);
  });

  it("find reaches a match on a page not rendered yet", async () => {
    FakeObserver.install();
    await openPdf("pdf:300:needle:250");
    FakeObserver.latest().near([1, 2, 3]);

    search("needle");
    await vi.waitFor(() => expect(findCount()).toBe("1 of 1 (page 250)"), reading);
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"));
    expect(pagesShown()).toEqual(["1", "2", "3", "250"]);
    expect(byId("viewer-body").querySelectorAll(".find-hit")).toHaveLength(1);
  });

  it("Enter moves to the next match on a page not drawn, and round to the first", async () => {
    FakeObserver.install();
    await openPdf("pdf:300:needle:2,250");
    FakeObserver.latest().near([1, 2, 3]);
    await vi.waitFor(() => expect(pagesShown()).toEqual(["1", "2", "3"]));
    await settle();

    search("needle");
    await vi.waitFor(() => expect(findCount()).toBe("1 of 2 (page 2)"), reading);
    expect(currentHitPage()).toBe("2");
    key(byId("viewer-find-text"), "Enter");
    expect(findCount()).toBe("2 of 2 (page 250)");
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"));
    key(byId("viewer-find-text"), "Enter");
    expect(findCount()).toBe("1 of 2 (page 2)");
    expect(currentHitPage()).toBe("2");
  });

  it("a match on a page scrolled away loses its highlight with the page, and finds it again", async () => {
    FakeObserver.install();
    await openPdf("pdf:300:needle:250");
    search("needle");
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"), reading);

    FakeObserver.latest().near([10, 11]);
    await vi.waitFor(() => expect(pagesShown()).toEqual(["10", "11"]));
    expect(byId("viewer-body").querySelectorAll(".find-hit")).toHaveLength(0);
    key(byId("viewer-find-text"), "Enter");
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"));
    expect(findCount()).toBe("1 of 1 (page 250)");
  });

  it("zooming comes back to the page and the match the reader was on", async () => {
    FakeObserver.install();
    await openPdf("pdf:300:needle:250");
    search("needle");
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"), reading);

    key(byId("viewer"), "+");
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"));
    expect(findCount()).toBe("1 of 1 (page 250)");
    const page = byId("viewer-body").querySelector<HTMLElement>('.pdf-page[data-page="250"]')!;
    expect(page.style.width).toBe("125px");
    // The text was read once, not again for the zoom.
    expect(pdfjs.control.textReads.filter((n) => n === 250)).toHaveLength(1);
  });

  it("two quick zooms still come back to the page the reader was on", async () => {
    FakeObserver.install();
    await openPdf("pdf:300:needle:2,250");
    FakeObserver.latest().near([1, 2, 3]);
    search("needle");
    await vi.waitFor(() => expect(findCount()).toBe("1 of 2 (page 2)"), reading);
    key(byId("viewer-find-text"), "Enter");
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"));

    key(byId("viewer"), "+");
    key(byId("viewer"), "+"); // before the first zoom laid anything out
    await vi.waitFor(() => expect(byId("viewer-body").querySelector<HTMLElement>(".pdf-page")?.style.width).toBe("156px"));
    await vi.waitFor(() => expect(currentHitPage()).toBe("250"));
    expect(findCount()).toBe("2 of 2 (page 250)");
    expect(pagesShown()).toEqual(["250"]);
    expect(byId("viewer-status").textContent).toBe("");
  });

  it("a page that cannot be drawn shows its error, not an empty status", async () => {
    pdfjs.control.failing.add(1);
    viewer.openViewer("1001", [reportPdf], 0);
    opens.get("doc-p")!.resolve(bytes("pdf:3:alpha"));

    await vi.waitFor(() => expect(byId("viewer-status").textContent).toBe("page 1 is damaged"));
    await settle(50);
    expect(byId("viewer-status").textContent).toBe("page 1 is damaged");
    expect(pagesShown()).toEqual(["2", "3"]);
  });

  it("closing the viewer gives every canvas back", async () => {
    await openPdf("pdf:3:alpha");
    const canvases = [...byId("viewer-body").querySelectorAll("canvas")];
    expect(canvases).toHaveLength(3);

    key(byId("viewer"), "Escape");
    expect(byId("viewer").hidden).toBe(true);
    expect(canvases.map((c) => [c.width, c.height])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(byId("viewer-body").childElementCount).toBe(0);
  });
});

describe("images open from their optimized JPEG, with View original", () => {
  const tiff = { ...row("doc-t", "ann-scan.tif", "image/tiff"), has_optimized: true };
  const calls = () => backend.openDocument.mock.calls.map((c) => [c[1], c[2]]);
  const img = () => byId("viewer-body").querySelector("img");

  it("a scan opens optimized, and View original fetches the original file", async () => {
    viewer.openViewer("1001", [tiff, scanA], 0);
    opens.get("doc-t")!.resolve(bytes("optimized jpeg"));
    await settle();
    expect(calls()).toEqual([["doc-t", true]]);
    expect(await shownImageText()).toBe("optimized jpeg");
    expect(byId("viewer-rendition").textContent).toBe("Optimized image, 1600 px");
    expect(byId("viewer-original").hidden).toBe(false);
    expect(byId("viewer-original").textContent).toBe("View original");

    byId("viewer-original").click();
    opens.get("doc-t")!.resolve(bytes("original tiff"));
    await settle();
    expect(calls()).toEqual([["doc-t", true], ["doc-t", false]]);
    expect(await shownImageText()).toBe("original tiff");
    expect(byId("viewer-rendition").textContent).toBe("Original file");
    expect(byId("viewer-original").textContent).toBe("View optimized");
  });

  it("the O key views the original, and the next document opens optimized again", async () => {
    const jpeg = { ...scanA, has_optimized: true };
    viewer.openViewer("1001", [tiff, jpeg], 0);
    opens.get("doc-t")!.resolve(bytes("optimized"));
    await settle();
    key(byId("viewer"), "o");
    opens.get("doc-t")!.resolve(bytes("original"));
    await settle();
    key(byId("viewer"), "ArrowRight");
    opens.get("doc-a")!.resolve(bytes("optimized A"));
    await settle();
    expect(calls()).toEqual([["doc-t", true], ["doc-t", false], ["doc-a", true]]);
  });

  it("an original this window cannot decode goes back to the optimized image and says why", async () => {
    viewer.openViewer("1001", [tiff], 0);
    opens.get("doc-t")!.resolve(bytes("optimized"));
    await settle();
    byId("viewer-original").click();
    opens.get("doc-t")!.resolve(bytes("original tiff"));
    await settle();
    img()!.dispatchEvent(new Event("error"));
    opens.get("doc-t")!.resolve(bytes("optimized again"));
    await settle();

    expect(calls()).toEqual([["doc-t", true], ["doc-t", false], ["doc-t", true]]);
    expect(await shownImageText()).toBe("optimized again");
    expect(byId("viewer-status").textContent).toContain("cannot display the original TIFF file");
    expect(byId("viewer-original").textContent).toBe("View original");
  });

  it("offline, an image whose optimized JPEG was not kept opens its original, labelled as such", async () => {
    viewer.openViewer("1001", [tiff], 0);
    opens.get("doc-t")!.reject({ code: "optimized_not_kept", message: "not kept" });
    await settle();
    opens.get("doc-t")!.resolve(bytes("original tiff"));
    await settle();

    expect(calls()).toEqual([["doc-t", true], ["doc-t", false]]);
    expect(await shownImageText()).toBe("original tiff");
    expect(byId("viewer-rendition").textContent).toBe("Original file");
    expect(byId("viewer-status").textContent).toContain("optimized image was not kept on this computer");
    // This window cannot draw the TIFF either: it says so, and asks for no optimized image.
    img()!.dispatchEvent(new Event("error"));
    await settle();
    expect(calls()).toEqual([["doc-t", true], ["doc-t", false]]);
    expect(byId("viewer-status").textContent).toContain("cannot display this TIFF image");
    // Opened again (the network may be back): the optimized image is asked for first again.
    viewer.closeViewer();
    viewer.openViewer("1001", [tiff], 0);
    await settle();
    expect(calls().at(-1)).toEqual(["doc-t", true]);
  });

  it("a scan larger than the window opens fitted to it, never enlarged, and 0 fits it again", async () => {
    const body = byId("viewer-body");
    Object.defineProperty(body, "clientWidth", { configurable: true, value: 832 });
    Object.defineProperty(body, "clientHeight", { configurable: true, value: 1032 });
    viewer.openViewer("1001", [tiff], 0);
    opens.get("doc-t")!.resolve(bytes("optimized"));
    await settle();
    const shown = img()!;
    Object.defineProperty(shown, "naturalWidth", { value: 1600 });
    Object.defineProperty(shown, "naturalHeight", { value: 2000 });
    Object.defineProperty(shown, "complete", { value: true });
    shown.dispatchEvent(new Event("load"));
    expect(shown.dataset.zoom).toBe("0.5");
    key(byId("viewer"), "+");
    expect(shown.dataset.zoom).toBe("0.625");
    key(byId("viewer"), "0");
    expect(shown.dataset.zoom).toBe("0.5");
  });

  it("an image without an optimized JPEG opens its original, with no button, and an undecodable one says so", async () => {
    const bare = row("doc-u", "ann-scan.tif", "image/tiff");
    viewer.openViewer("1001", [bare], 0);
    opens.get("doc-u")!.resolve(bytes("tiff"));
    await settle();
    expect(calls()).toEqual([["doc-u", false]]);
    expect(byId("viewer-original").hidden).toBe(true);
    img()!.dispatchEvent(new Event("error"));
    expect(byId("viewer-status").textContent).toContain("cannot display this TIFF image");
    expect(img()).toBeNull();
  });
});

describe("every page of a TIFF scan", () => {
  const fivePages = { ...row("doc-m", "ann-scan.tif", "image/tiff"), has_optimized: true, pages: 5 };
  const pageCalls = () => backend.openDocument.mock.calls.map((c) => [c[1], c[2], c[3]]);
  const resolveNext = async (text: string) => {
    opens.get("doc-m")!.resolve(bytes(text));
    await settle();
  };

  it("pages through the previews with Page Up / Page Down and the buttons, saying which page", async () => {
    viewer.openViewer("1001", [fivePages], 0);
    await resolveNext("page 1");
    expect(byId("viewer-pages").hidden).toBe(false);
    expect(byId("viewer-page").textContent).toBe("Page 1 of 5");
    expect(byId<HTMLButtonElement>("viewer-page-prev").disabled).toBe(true);

    key(byId("viewer"), "PageDown");
    await resolveNext("page 2");
    expect(byId("viewer-page").textContent).toBe("Page 2 of 5");
    expect(await shownImageText()).toBe("page 2");
    byId("viewer-page-next").click();
    await resolveNext("page 3");
    key(byId("viewer"), "PageUp");
    await resolveNext("page 2 again");
    expect(pageCalls()).toEqual([
      ["doc-m", true, undefined],
      ["doc-m", true, 2],
      ["doc-m", true, 3],
      ["doc-m", true, 2],
    ]);
    expect(byId("viewer-title").textContent).toBe("ann-scan.tif (1 of 1)");
  });

  it("a single-page image and a PDF show no page buttons", async () => {
    viewer.openViewer("1001", [{ ...scanA, has_optimized: true }], 0);
    await settle();
    expect(byId("viewer-pages").hidden).toBe(true);
    key(byId("viewer"), "PageDown");
    expect(backend.openDocument).toHaveBeenCalledTimes(1);
  });

  it("offline, a page not kept says so instead of a broken image", async () => {
    viewer.openViewer("1001", [fivePages], 0);
    await resolveNext("page 1");
    key(byId("viewer"), "PageDown");
    opens.get("doc-m")!.reject({ code: "optimized_not_kept", message: "not kept" });
    await settle();
    expect(byId("viewer-status").textContent).toBe("Offline: page 2 was not kept on this computer.");
    expect(byId("viewer-body").querySelector("img")).toBeNull();
  });

  it("a TIFF whose preview the server is still making says so rather than a broken image", async () => {
    const preparing = { ...row("doc-n", "new-scan.tif", "image/tiff"), status_note: "Preparing preview…" };
    viewer.openViewer("1001", [preparing], 0);
    await settle();
    expect(backend.openDocument).not.toHaveBeenCalled();
    expect(byId("viewer-status").textContent).toBe("No preview yet: the server is still preparing it.");
    expect(byId("viewer-body").querySelector("img")).toBeNull();
  });
});
