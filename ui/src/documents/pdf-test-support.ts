// Shared by the PDF tests (never imported by the app): a fake pdf.js and a fake
// IntersectionObserver (jsdom has none) that the test drives.

/** A fake pdf.js: the "PDF" bytes are text `pdf:<pages>:<word>[:<page>,<page>…]`; every page
 * reads "a <word> here", or, when pages are listed, only those do and the others read "a plain
 * page". Every step answers after a timer, and while `paused` drawing a page waits for
 * `resume()`, so a test can start a second render while the first is still drawing. */
export function fakePdfjs() {
  const later = <T>(value: T) => new Promise<T>((r) => setTimeout(() => r(value), 2));
  const held: (() => void)[] = [];
  const control = {
    paused: false,
    resume() {
      control.paused = false;
      for (const go of held.splice(0)) go();
    },
    /** A page's size at the viewer's zoom 1 (scale 1.5). */
    pageSize: [100, 140] as [number, number],
    /** Every page.render: which page, and the canvas and viewport it drew at. */
    renders: [] as { page: number; canvas: HTMLCanvasElement; width: number; height: number }[],
    /** Pages whose resources were given back (page.cleanup). */
    cleanups: [] as number[],
    /** Pages whose text was read (page.getTextContent). */
    textReads: [] as number[],
    /** Pages whose drawing fails (a damaged page). */
    failing: new Set<number>(),
    reset() {
      control.resume();
      control.pageSize = [100, 140];
      control.renders = [];
      control.cleanups = [];
      control.textReads = [];
      control.failing = new Set();
    },
  };
  const draw = () => (control.paused ? new Promise<void>((r) => held.push(r)) : later(undefined));
  const getDocument = ({ data }: { data: Uint8Array }) => {
    const [, pages, word, on] = new TextDecoder().decode(data).split(":");
    const withWord = on ? new Set(on.split(",").map(Number)) : null;
    const page = (n: number) => ({
      getViewport: ({ scale }: { scale: number; rotation?: number }) => {
        const [w, h] = control.pageSize;
        return { width: (w * scale) / 1.5, height: (h * scale) / 1.5, convertToViewportRectangle: (r: number[]) => r };
      },
      render: ({ canvas, viewport }: { canvas: HTMLCanvasElement; viewport: { width: number; height: number } }) => {
        control.renders.push({ page: n, canvas, width: viewport.width, height: viewport.height });
        const promise = control.failing.has(n) ? draw().then(() => Promise.reject(new Error(`page ${n} is damaged`))) : draw();
        return { promise, cancel: () => undefined };
      },
      getTextContent: () => {
        control.textReads.push(n);
        const str = !withWord || withWord.has(n) ? `a ${word} here` : "a plain page";
        return later({ items: [{ str, transform: [1, 0, 0, 1, 5, 5], width: 9, height: 9 }] });
      },
      cleanup: () => {
        control.cleanups.push(n);
        return true;
      },
    });
    const doc = { numPages: Number(pages), getPage: (n: number) => later(page(n)), destroy: async () => undefined };
    return { promise: later(doc), destroy: async () => undefined };
  };
  return { GlobalWorkerOptions: {}, getDocument, control };
}

/** Stands in for IntersectionObserver: nothing is reported until the test says which pages are
 * within the margin of the viewport (`near`), as the browser would after a scroll. */
export class FakeObserver {
  static all: FakeObserver[] = [];
  readonly targets = new Set<Element>();
  disconnected = false;

  constructor(
    readonly callback: IntersectionObserverCallback,
    readonly options: IntersectionObserverInit = {},
  ) {
    FakeObserver.all.push(this);
  }

  static latest(): FakeObserver {
    const last = FakeObserver.all.at(-1);
    if (!last) throw new Error("no IntersectionObserver was made");
    return last;
  }

  /** Installs the fake on the window (the viewer feature-detects it). */
  static install(): void {
    FakeObserver.all = [];
    (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver = FakeObserver;
  }

  static uninstall(): void {
    delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
  }

  observe(target: Element): void {
    this.targets.add(target);
  }

  unobserve(target: Element): void {
    this.targets.delete(target);
  }

  disconnect(): void {
    this.targets.clear();
    this.disconnected = true;
  }

  takeRecords(): IntersectionObserverEntry[] {
    return [];
  }

  /** Reports pages `pages` within reach and every other observed page out of it. */
  near(pages: number[]): void {
    const entries = [...this.targets].map(
      (target) => ({ target, isIntersecting: pages.includes(Number((target as HTMLElement).dataset.page)) }) as IntersectionObserverEntry,
    );
    this.callback(entries, this as unknown as IntersectionObserver);
  }
}
