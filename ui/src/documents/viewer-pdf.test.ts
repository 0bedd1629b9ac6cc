// Each PDF page once: the viewer draws a PDF's pages without duplicates, and for a long PDF only
// those near the viewport; find counts and marks matches in the document shown only, and a closed
// viewer acts on nothing. The core, pdf.js and IntersectionObserver are faked; the viewer is real.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { byId } from "../shell/dom";
import { FakeObserver } from "./pdf-test-support";
import { type Deferred, bytes, key, row, settle, startViewer } from "./test-support";

const backend = vi.hoisted(() => ({ openDocument: vi.fn() }));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));

/** pdf.js is faked (pdf-test-support): bytes `pdf:<pages>:<word>[:<pages with the word>]`. */
const pdfjs = await vi.hoisted(async () => (await import("./pdf-test-support")).fakePdfjs());
vi.mock("pdfjs-dist/legacy/build/pdf.mjs", () => pdfjs);

let viewer: typeof import("./viewer");
let opens: Map<string, Deferred<ArrayBuffer>>;
let shownImageText: () => Promise<string | null>;

const scanB = row("doc-b", "ann-scan-B.png");
const reportPdf = row("doc-p", "ann-report.pdf", "application/pdf");

beforeEach(async () => {
  pdfjs.control.reset();
  FakeObserver.uninstall();
  ({ viewer, opens, shownImageText } = await startViewer(backend.openDocument));
});

// A view left open would keep reading page sizes into the next test.
afterEach(() => viewer.closeViewer());

const pagesShown = () => [...byId("viewer-body").querySelectorAll("canvas")].map((c) => c.dataset.page);

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
