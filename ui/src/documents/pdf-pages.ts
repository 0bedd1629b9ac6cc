// A PDF laid out the pdf.js lazy way: one placeholder per page at the page's size, and a canvas
// only for the pages within about one screen of the viewport. Pages scrolled far away give their
// canvases back, so a 300-page PDF holds a handful of canvases, never 300. Pages are drawn one at
// a time, nearest the middle of the view first. A drawn page's text is read too (so find in a
// short PDF answers at once) and, until find has asked for every page's, given back with its
// canvas: scrolling through a long PDF keeps nothing of the pages it passed.
// Without IntersectionObserver (jsdom, very old web views) the first pages and the current
// page's neighbours are drawn instead.
import type { PageViewport, PDFDocumentProxy, PDFPageProxy, RenderTask } from "pdfjs-dist/legacy/build/pdf.mjs";
import { el } from "../shell/dom";

/** One run of text and its box in PDF units (independent of zoom and rotation). */
export type TextRun = { str: string; x: number; y: number; w: number; h: number };

/** How far past the viewport a page is drawn: one screen each way (IntersectionObserver). */
export const NEAR_MARGIN = "100%";
/** Without IntersectionObserver: these first pages, and this many either side of the current. */
export const FIRST_PAGES = 3;
export const NEIGHBOURS = 1;
/** The largest canvas drawn (pdf.js's maxCanvasPixels for small devices, 64 MB of pixels): a
 * page zoomed past it is drawn at this size and stretched, so one page at 8x stays bounded. */
export const MAX_CANVAS_PIXELS = 2 ** 24;
/** Pages whose text is asked for at once when find reads the whole document. */
const TEXT_BATCH = 8;

type State = "blank" | "drawing" | "drawn" | "failed";

type Slot = {
  n: number;
  holder: HTMLDivElement;
  /** The page's own viewport at this view's scale and rotation, once the page was read. */
  viewport: PageViewport | null;
  state: State;
  /** Within the margin of the viewport (or, without an observer, a first page or a neighbour). */
  near: boolean;
  page: PDFPageProxy | null;
  canvas: HTMLCanvasElement | null;
  task: RenderTask | null;
  /** Bumped when the page gives its canvas back: a draw still under way then stops. */
  gen: number;
};

export interface PdfPagesOptions {
  scale: number;
  rotation: number;
  /** Whether this view still belongs to the document on screen (the viewer's ticket). */
  live: () => boolean;
  /** A page was drawn: find paints its highlights into `holder`. */
  onDrawn: (n: number, holder: HTMLElement, viewport: PageViewport) => void;
  /** A page gave its canvas back (its highlights went with it). */
  onReleased: (n: number) => void;
  /** A page could not be drawn, or its text could not be read. */
  onError: (e: unknown) => void;
  /** Text already read from this document (kept across zoom and rotation). */
  texts?: (TextRun[] | undefined)[];
}

export class PdfPages {
  readonly count: number;
  /** Text runs per page (index n - 1): read when a page is drawn (and dropped when it is given
   * back), or all at once, and then kept, for find. */
  readonly texts: (TextRun[] | undefined)[];
  private readonly slots: Slot[] = [];
  private observer: IntersectionObserver | null = null;
  /** The page the reader is on: where drawing starts, and (without an observer) whose
   * neighbours are drawn. */
  private current = 1;
  /** Drawn whatever the observer says until it reports the page out of reach: the page
   * opened at, or the one holding the current find match. */
  private pinned = 0;
  private busy = false;
  private destroyed = false;
  private reading: Promise<TextRun[][] | null> | null = null;
  /** Find asked for every page's text (in this view or one before it): what is read is kept. */
  private keepTexts = false;
  private readonly waiters = new Map<number, ((drawn: boolean) => void)[]>();

  constructor(
    private readonly doc: PDFDocumentProxy,
    private readonly body: HTMLElement,
    private readonly opts: PdfPagesOptions,
  ) {
    this.count = doc.numPages;
    this.texts = opts.texts ?? [];
    this.textsIfRead(); // complete already (a zoom or rotation after a search): kept
  }

  /** Lays out every page at the size of page `focus`, shows `focus` and draws it (and, without
   * an observer, the first pages). Resolves once those are drawn (or scrolled away first):
   * true, or false if one failed (the error went to onError) or the view was superseded. The other pages' sizes are read afterwards. */
  async open(focus = 1): Promise<boolean> {
    focus = Math.min(Math.max(1, focus), this.count);
    this.current = focus;
    const first = await this.doc.getPage(focus);
    if (!this.alive()) return false;
    const size = first.getViewport({ scale: this.opts.scale, rotation: this.opts.rotation });
    for (let n = 1; n <= this.count; n++) {
      const holder = el("div", { className: "pdf-page", attrs: { "data-page": String(n) } });
      // A flex column shrinks an empty child: placeholders keep their page's height.
      Object.assign(holder.style, { flexShrink: "0", background: "#fff" });
      setSize(holder, size);
      this.slots.push({ n, holder, viewport: null, state: "blank", near: false, page: null, canvas: null, task: null, gen: 0 });
    }
    this.size(this.slots[focus - 1]!, first);
    this.body.append(...this.slots.map((s) => s.holder));
    this.pinned = focus;
    if (focus > 1) this.slots[focus - 1]!.holder.scrollIntoView({ block: "start" });
    else this.body.scrollTop = 0;
    this.watch();
    const firstScreen = this.slots.filter((s) => this.wanted(s));
    const drawn = Promise.all(firstScreen.map((s) => this.whenDrawn(s.n)));
    this.pump();
    await drawn;
    if (!this.alive()) return false;
    void this.measure();
    // A page scrolled away before it was drawn is no failure.
    return !firstScreen.some((s) => s.state === "failed");
  }

  /** Pins page `n`, scrolls its placeholder into view unless drawn, and draws it. Resolves
   * true once it is drawn, false if it could not be or moved out of reach first. */
  reveal(n: number): Promise<boolean> {
    const slot = this.slots[n - 1];
    if (!slot || slot.state === "failed" || !this.alive()) return Promise.resolve(false);
    const before = this.slots[this.pinned - 1];
    this.pinned = n;
    this.current = n;
    if (before && !this.wanted(before)) this.release(before);
    if (!this.observer) this.nearCurrent();
    if (slot.state === "drawn") return Promise.resolve(true);
    slot.holder.scrollIntoView({ block: "center", inline: "center" });
    const drawn = this.whenDrawn(n);
    this.pump();
    return drawn;
  }

  /** The page in the middle of the view (where a zoom or rotation should come back to). */
  focusPage(): number {
    const box = this.body.getBoundingClientRect();
    if (box.height === 0 || this.slots.length === 0) return this.current; // not laid out (jsdom)
    const middle = box.top + box.height / 2;
    let lo = 0;
    let hi = this.slots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.slots[mid]!.holder.getBoundingClientRect().top <= middle) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The drawn pages, for find to paint highlights into. */
  drawn(): { n: number; holder: HTMLElement; viewport: PageViewport }[] {
    return this.slots.flatMap((s) => (s.state === "drawn" && s.viewport ? [{ n: s.n, holder: s.holder, viewport: s.viewport }] : []));
  }

  /** Every page's text if it was all read already (find then answers at once, and it is kept). */
  textsIfRead(): TextRun[][] | null {
    for (let n = 0; n < this.count; n++) if (!this.texts[n]) return null;
    this.keepTexts = true;
    return this.texts as TextRun[][];
  }

  /** Reads every page's text (page.getTextContent, no drawing), once per document: find
   * searches all pages, drawn or not. A few pages are asked for at a time, so the worker is
   * never idle between them. Null if the view was superseded meanwhile. */
  allTexts(): Promise<TextRun[][] | null> {
    this.keepTexts = true;
    this.reading ??= (async () => {
      const missing = [...Array(this.count).keys()].map((i) => i + 1).filter((n) => !this.texts[n - 1]);
      for (let i = 0; i < missing.length; i += TEXT_BATCH) {
        const batch = missing.slice(i, i + TEXT_BATCH);
        await Promise.all(
          batch.map(async (n) => {
            const runs = await textOf(await this.doc.getPage(n));
            if (this.alive()) this.texts[n - 1] ??= runs;
          }),
        );
        if (!this.alive()) return null;
      }
      return this.texts as TextRun[][];
    })();
    const reading = this.reading;
    // A failed read may be tried again by the next search.
    reading.catch(() => {
      if (this.reading === reading) this.reading = null;
    });
    return reading;
  }

  /** Gives every canvas back and stops observing; the view cannot be used afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.observer?.disconnect();
    this.observer = null;
    this.body.removeEventListener("scroll", this.follow);
    for (const s of this.slots) this.release(s);
    for (const n of [...this.waiters.keys()]) this.settle(n, false);
  }

  private alive(): boolean {
    return !this.destroyed && this.opts.live();
  }

  private wanted(slot: Slot): boolean {
    return slot.near || slot.n === this.pinned;
  }

  /** Starts following the viewport: an IntersectionObserver with a margin of one screen, or,
   * without one, the scroll position. */
  private watch(): void {
    if (typeof IntersectionObserver === "function") {
      this.observer = new IntersectionObserver((entries) => this.seen(entries), { root: this.body, rootMargin: NEAR_MARGIN });
      for (const s of this.slots) this.observer.observe(s.holder);
    } else {
      this.body.addEventListener("scroll", this.follow, { passive: true });
      this.nearCurrent();
    }
  }

  private seen(entries: IntersectionObserverEntry[]): void {
    if (!this.alive()) return;
    for (const entry of entries) {
      const slot = this.slots[Number((entry.target as HTMLElement).dataset.page) - 1];
      if (!slot) continue;
      slot.near = entry.isIntersecting;
      if (slot.near) continue;
      // Out of reach: a pin (the page opened at, or the match shown) ends here too.
      if (slot.n === this.pinned) this.pinned = 0;
      this.release(slot);
    }
    this.pump();
  }

  /** Without an observer, on scroll: the page in the middle of the view becomes current. */
  private readonly follow = (): void => {
    if (!this.alive()) return;
    this.current = this.focusPage();
    this.nearCurrent();
  };

  /** Without an observer: the first pages and the current page's neighbours are near. */
  private nearCurrent(): void {
    for (const s of this.slots) {
      s.near = s.n <= FIRST_PAGES || Math.abs(s.n - this.current) <= NEIGHBOURS;
      if (!this.wanted(s)) this.release(s);
    }
    this.pump();
  }

  /** Draws the wanted page nearest the current one; one page at a time. */
  private pump(): void {
    if (this.busy || !this.alive()) return;
    const focus = this.pinned || this.focusPage();
    let next: Slot | null = null;
    for (const s of this.slots) {
      if (s.state !== "blank" || !this.wanted(s)) continue;
      if (!next || Math.abs(s.n - focus) < Math.abs(next.n - focus)) next = s;
    }
    if (!next) return;
    const slot = next;
    this.busy = true;
    this.draw(slot)
      .then(
        (drawn) => this.settle(slot.n, drawn),
        (e) => {
          const mine = this.alive() && slot.state === "drawing";
          if (mine) this.fail(slot);
          this.settle(slot.n, false);
          if (mine) this.opts.onError(e);
        },
      )
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  /** Draws one page into a new canvas (and reads its text if not read yet). After every await
   * it stops if the view was superseded or the page given back meanwhile. */
  private async draw(slot: Slot): Promise<boolean> {
    const gen = slot.gen;
    slot.state = "drawing";
    const still = () => this.alive() && slot.gen === gen;
    const page = await this.doc.getPage(slot.n);
    if (!still()) return false;
    slot.page = page;
    const viewport = this.size(slot, page);
    const { width, height } = { width: Math.floor(viewport.width), height: Math.floor(viewport.height) };
    // Past the pixel ceiling the page is drawn smaller and stretched to its laid-out size.
    const ratio = Math.min(1, Math.sqrt(MAX_CANVAS_PIXELS / Math.max(1, width * height)));
    const canvas = el("canvas", { attrs: { "aria-label": `Page ${slot.n} of ${this.count}`, "data-page": String(slot.n) } });
    canvas.width = Math.floor(width * ratio);
    canvas.height = Math.floor(height * ratio);
    Object.assign(canvas.style, { display: "block", width: `${width}px`, height: `${height}px` });
    slot.canvas = canvas;
    slot.holder.prepend(canvas);
    const drawAt = ratio < 1 ? page.getViewport({ scale: this.opts.scale * ratio, rotation: this.opts.rotation }) : viewport;
    const task = page.render({ canvas, viewport: drawAt });
    slot.task = task;
    try {
      await task.promise;
    } catch (e) {
      if (!still()) return false; // cancelled when the page was given back
      throw e;
    } finally {
      if (slot.task === task) slot.task = null;
    }
    if (!still()) return false;
    if (!this.texts[slot.n - 1]) {
      const runs = await textOf(page);
      if (!still()) return false; // a page given back meanwhile keeps no text
      this.texts[slot.n - 1] ??= runs;
    }
    slot.state = "drawn";
    this.opts.onDrawn(slot.n, slot.holder, viewport);
    return true;
  }

  /** Gives the page's canvas back (zero-sized first, so the web view frees its pixels at once),
   * with its highlights; a draw under way is cancelled. Its text goes too, unless find has asked
   * for every page's (keepTexts) or the whole view is going (a zoom or rotation keeps the text
   * read). */
  private release(slot: Slot): void {
    if (slot.state === "blank" || slot.state === "failed") return;
    slot.state = "blank";
    slot.gen++;
    slot.task?.cancel();
    slot.task = null;
    this.dropCanvas(slot);
    slot.page?.cleanup();
    slot.page = null;
    if (!this.keepTexts && !this.destroyed) this.texts[slot.n - 1] = undefined;
    this.opts.onReleased(slot.n);
    this.settle(slot.n, false);
  }

  /** A page that could not be drawn is not tried again in this view (a zoom tries again). */
  private fail(slot: Slot): void {
    slot.state = "failed";
    slot.task = null;
    this.dropCanvas(slot);
  }

  private dropCanvas(slot: Slot): void {
    if (slot.canvas) {
      slot.canvas.width = 0;
      slot.canvas.height = 0;
      slot.canvas = null;
    }
    slot.holder.replaceChildren();
  }

  /** Reads the other pages' sizes in the background, so the layout matches before they come
   * into view (a document may mix portrait and landscape pages). */
  private async measure(): Promise<void> {
    for (const slot of this.slots) {
      if (slot.viewport) continue;
      const page = await this.doc.getPage(slot.n);
      if (!this.alive()) return;
      if (!slot.viewport) this.size(slot, page);
    }
  }

  private size(slot: Slot, page: PDFPageProxy): PageViewport {
    const viewport = page.getViewport({ scale: this.opts.scale, rotation: this.opts.rotation });
    slot.viewport = viewport;
    setSize(slot.holder, viewport);
    return viewport;
  }

  private whenDrawn(n: number): Promise<boolean> {
    if (this.slots[n - 1]?.state === "drawn") return Promise.resolve(true);
    return new Promise((resolve) => {
      const list = this.waiters.get(n) ?? [];
      list.push(resolve);
      this.waiters.set(n, list);
    });
  }

  private settle(n: number, drawn: boolean): void {
    const list = this.waiters.get(n);
    if (!list) return;
    this.waiters.delete(n);
    for (const resolve of list) resolve(drawn);
  }
}

function setSize(holder: HTMLElement, viewport: PageViewport): void {
  holder.style.width = `${Math.floor(viewport.width)}px`;
  holder.style.height = `${Math.floor(viewport.height)}px`;
}

/** A page's runs of text, without the blank ones (line ends, spaces): a search is for trimmed,
 * non-empty text, which no blank run contains. */
async function textOf(page: PDFPageProxy): Promise<TextRun[]> {
  const content = await page.getTextContent();
  return content.items.flatMap((i) =>
    "str" in i && i.str.trim() ? [{ str: i.str, x: i.transform[4] ?? 0, y: i.transform[5] ?? 0, w: i.width, h: i.height }] : [],
  );
}
