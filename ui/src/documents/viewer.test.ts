// Wrong document: the viewer shows only the document its title names, and each PDF page once.
// The core and pdf.js are faked; the viewer module is the real one.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { byId } from "../shell/dom";
import { type Deferred, deferred, key, loadPage, row, settle } from "./test-support";

const backend = vi.hoisted(() => ({ openDocument: vi.fn() }));
vi.mock("../backend/api", () => ({
  backend,
  platform: { kind: "desktop", offline: true, pinning: true, saveDialog: true },
}));

/** A fake pdf.js: the "PDF" bytes are text `pdf:<pages>:<word>`; every step answers after a
 * timer, and while `paused` drawing a page waits for `resume()`, so a test can start a
 * second render while the first is still in its page loop. */
const pdfjs = vi.hoisted(() => {
  const later = <T>(value: T) => new Promise<T>((r) => setTimeout(() => r(value), 2));
  const held: (() => void)[] = [];
  const control = {
    paused: false,
    resume() {
      control.paused = false;
      for (const go of held.splice(0)) go();
    },
  };
  const draw = () => (control.paused ? new Promise<void>((r) => held.push(r)) : later(undefined));
  const getDocument = vi.fn(({ data }: { data: Uint8Array }) => {
    const [, pages, word] = new TextDecoder().decode(data).split(":");
    const page = {
      getViewport: () => ({ width: 100, height: 140, convertToViewportRectangle: (r: number[]) => r }),
      render: () => ({ promise: draw(), cancel: () => undefined }),
      getTextContent: () => later({ items: [{ str: `a ${word} here`, transform: [1, 0, 0, 1, 5, 5], width: 9, height: 9 }] }),
    };
    const doc = { numPages: Number(pages), getPage: () => later(page), destroy: async () => undefined };
    return { promise: later(doc), destroy: async () => undefined };
  });
  return { GlobalWorkerOptions: {}, getDocument, control };
});
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
  pdfjs.control.resume();
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
