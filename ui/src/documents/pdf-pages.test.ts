// Memory stays bounded: a PDF is laid out page by page, but only the pages near the viewport
// hold a canvas. pdf.js and IntersectionObserver are faked (pdf-test-support); PdfPages is real.
import type { PDFDocumentProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_CANVAS_PIXELS, NEAR_MARGIN, PdfPages, type PdfPagesOptions } from "./pdf-pages";
import { FakeObserver, fakePdfjs } from "./pdf-test-support";
import { settle } from "./test-support";

const pdfjs = fakePdfjs();
let body: HTMLElement;
let live: boolean;
let views: PdfPages[];
/** Pages drawn and not given back, as the view reported them. */
let drawn: Set<number>;
let errors: unknown[];

beforeEach(() => {
  pdfjs.control.reset();
  FakeObserver.install();
  Element.prototype.scrollIntoView = () => undefined;
  body = document.createElement("div");
  document.body.replaceChildren(body);
  live = true;
  views = [];
  drawn = new Set();
  errors = [];
});

afterEach(() => {
  for (const v of views) v.destroy();
  FakeObserver.uninstall();
});

async function layOut(spec: string, options: Partial<PdfPagesOptions> = {}): Promise<PdfPages> {
  const doc = await pdfjs.getDocument({ data: new TextEncoder().encode(spec) }).promise;
  const view = new PdfPages(doc as unknown as PDFDocumentProxy, body, {
    scale: 1.5,
    rotation: 0,
    live: () => live,
    onDrawn: (n) => drawn.add(n),
    onReleased: (n) => drawn.delete(n),
    onError: (e) => errors.push(e),
    ...options,
  });
  views.push(view);
  return view;
}

const canvases = () => [...body.querySelectorAll("canvas")].map((c) => Number(c.dataset.page));
const drawnPages = () => [...drawn].sort((a, b) => a - b);
const near = (pages: number[]) => FakeObserver.latest().near(pages);

describe("only the pages near the viewport are drawn", () => {
  it("a 300-page PDF renders only the pages near the viewport", async () => {
    const view = await layOut("pdf:300:alpha");
    expect(await view.open()).toBe(true);

    const holders = [...body.querySelectorAll<HTMLElement>(".pdf-page")];
    expect(holders).toHaveLength(300);
    expect(holders.every((h) => h.style.width === "100px" && h.style.height === "140px")).toBe(true);
    const observer = FakeObserver.latest();
    expect(observer.options).toMatchObject({ root: body, rootMargin: NEAR_MARGIN });
    expect(observer.targets.size).toBe(300);
    expect(canvases()).toEqual([1]);

    near([1, 2, 3, 4]);
    await vi.waitFor(() => expect(drawnPages()).toEqual([1, 2, 3, 4]));
    expect(canvases()).toEqual([1, 2, 3, 4]);
    expect(pdfjs.control.renders.map((r) => r.page)).toEqual([1, 2, 3, 4]);
  });

  it("pages scrolled far away give their canvases back", async () => {
    const view = await layOut("pdf:300:alpha");
    await view.open();
    near([1, 2, 3]);
    await vi.waitFor(() => expect(drawnPages()).toEqual([1, 2, 3]));
    const first = [...body.querySelectorAll("canvas")];

    near([150, 151, 152]);
    await vi.waitFor(() => expect(drawnPages()).toEqual([150, 151, 152]));
    expect(canvases()).toEqual([150, 151, 152]);
    expect(first.map((c) => [c.width, c.height, c.isConnected])).toEqual([
      [0, 0, false],
      [0, 0, false],
      [0, 0, false],
    ]);
    expect(pdfjs.control.cleanups).toEqual([1, 2, 3]);
  });

  it("scrolling through a 300-page PDF never holds more canvases than the pages near it", async () => {
    const view = await layOut("pdf:300:alpha");
    await view.open();
    let most = 0;
    for (let top = 1; top <= 298; top += 23) {
      const window = [top, top + 1, top + 2];
      near(window);
      await vi.waitFor(() => expect(drawnPages()).toEqual(window));
      most = Math.max(most, body.querySelectorAll("canvas").length);
    }
    expect(most).toBe(3);
    expect(body.querySelectorAll(".pdf-page")).toHaveLength(300);
  });

  it("a page scrolled away while it is drawing is cancelled and not drawn", async () => {
    const view = await layOut("pdf:300:alpha");
    await view.open();
    pdfjs.control.paused = true;
    near([2]);
    await vi.waitFor(() => expect(canvases()).toContain(2));
    const drawing = body.querySelector<HTMLCanvasElement>('canvas[data-page="2"]')!;

    near([40]);
    expect(drawing.width).toBe(0);
    pdfjs.control.resume();
    await vi.waitFor(() => expect(drawnPages()).toEqual([40]));
    expect(canvases()).toEqual([40]);
  });

  it("without IntersectionObserver the first pages and the current page's neighbours are drawn", async () => {
    FakeObserver.uninstall();
    const view = await layOut("pdf:300:alpha");
    expect(await view.open()).toBe(true);
    expect(drawnPages()).toEqual([1, 2, 3]);

    expect(await view.reveal(200)).toBe(true);
    await vi.waitFor(() => expect(drawnPages()).toEqual([1, 2, 3, 199, 200, 201]));
    expect(await view.reveal(100)).toBe(true);
    await vi.waitFor(() => expect(drawnPages()).toEqual([1, 2, 3, 99, 100, 101]));
    expect(canvases()).toEqual([1, 2, 3, 99, 100, 101]);
  });

  it("a page zoomed past the pixel ceiling is drawn on a bounded canvas, stretched to its size", async () => {
    pdfjs.control.pageSize = [1000, 1400];
    const view = await layOut("pdf:1:alpha", { scale: 1.5 * 8 });
    await view.open();

    const canvas = body.querySelector("canvas")!;
    expect(canvas.width * canvas.height).toBeLessThanOrEqual(MAX_CANVAS_PIXELS);
    expect(canvas.width).toBeGreaterThan(3000);
    expect([canvas.style.width, canvas.style.height]).toEqual(["8000px", "11200px"]);
    const holder = body.querySelector<HTMLElement>(".pdf-page")!;
    expect([holder.style.width, holder.style.height]).toEqual(["8000px", "11200px"]);
    const [render] = pdfjs.control.renders;
    expect(render!.width).toBeCloseTo(canvas.width, -1);
  });
});

describe("a view belongs to one document", () => {
  it("a view superseded while drawing draws nothing more", async () => {
    pdfjs.control.paused = true;
    const view = await layOut("pdf:300:alpha");
    const opened = view.open();
    await vi.waitFor(() => expect(canvases()).toEqual([1]));

    live = false;
    pdfjs.control.resume();
    expect(await opened).toBe(false);
    near([1, 2, 3]);
    await settle();
    expect(drawnPages()).toEqual([]);
    expect(pdfjs.control.renders.map((r) => r.page)).toEqual([1]);
  });

  it("destroying a view gives every canvas back and stops observing", async () => {
    const view = await layOut("pdf:300:alpha");
    await view.open();
    near([1, 2]);
    await vi.waitFor(() => expect(drawnPages()).toEqual([1, 2]));
    const held = [...body.querySelectorAll("canvas")];

    view.destroy();
    expect(held.every((c) => c.width === 0 && c.height === 0)).toBe(true);
    expect(FakeObserver.latest().disconnected).toBe(true);
    expect(canvases()).toEqual([]);
  });
});

describe("a damaged page", () => {
  it("a page that cannot be drawn reports its error once and the others are still drawn", async () => {
    FakeObserver.uninstall();
    pdfjs.control.failing.add(2);
    const view = await layOut("pdf:5:alpha");

    expect(await view.open()).toBe(false);
    expect(errors.map(String)).toEqual(["Error: page 2 is damaged"]);
    expect(drawnPages()).toEqual([1, 3]);
    expect(canvases()).toEqual([1, 3]);
    expect(await view.reveal(2)).toBe(false);
    expect(errors).toHaveLength(1);
  });
});

describe("find reads every page's text", () => {
  it("every page's text is read without drawing the pages", async () => {
    const view = await layOut("pdf:300:needle:7,250");
    await view.open();
    expect(view.textsIfRead()).toBeNull();

    const texts = await view.allTexts();
    expect(texts).toHaveLength(300);
    const withNeedle = texts!.flatMap((runs, i) => (runs.some((r) => r.str.includes("needle")) ? [i + 1] : []));
    expect(withNeedle).toEqual([7, 250]);
    expect(view.textsIfRead()).toBe(texts);
    expect(pdfjs.control.renders).toHaveLength(1);
    // Page 1's text was read when it was drawn, and not again.
    expect(pdfjs.control.textReads.filter((n) => n === 1)).toHaveLength(1);
  });

  it("scrolling keeps no text of the pages passed, but after a search every page's text stays", async () => {
    const view = await layOut("pdf:300:alpha");
    await view.open();
    near([1, 2, 3]);
    await vi.waitFor(() => expect(drawnPages()).toEqual([1, 2, 3]));
    expect(view.texts.filter(Boolean)).toHaveLength(3);

    near([150, 151]);
    await vi.waitFor(() => expect(drawnPages()).toEqual([150, 151]));
    expect(view.texts.flatMap((t, i) => (t ? [i + 1] : []))).toEqual([150, 151]);

    await view.allTexts();
    near([200]);
    await vi.waitFor(() => expect(drawnPages()).toEqual([200]));
    expect(view.texts.filter(Boolean)).toHaveLength(300);
  });

  it("revealing a page not drawn yet draws it", async () => {
    const view = await layOut("pdf:300:alpha");
    await view.open();
    near([1, 2]);

    expect(await view.reveal(250)).toBe(true);
    expect(canvases()).toContain(250);
    expect(drawnPages()).toContain(250);
  });
});
