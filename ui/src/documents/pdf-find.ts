// Find in a PDF (Ctrl+F in the viewer, Enter for the next match): searches the text of every
// page, drawn or not (page.getTextContent, read once per document), highlights the matches on
// the pages that are drawn, and brings the current match into view: a match on a page not
// drawn yet scrolls to that page, draws it, then highlights.
import type { PageViewport } from "pdfjs-dist/legacy/build/pdf.mjs";
import { byId, el } from "../shell/dom";
import { view as scopedView } from "../shell/scope";
import type { PdfPages, TextRun } from "./pdf-pages";

/** One occurrence: the run it is in and where in the run's text (`from`..`to`). */
type Match = { page: number; run: TextRun; from: number; to: number };

export class PdfFind {
  private view: PdfPages | null = null;
  private matches: Match[] = [];
  private at = -1;
  /** The highlights on drawn pages, by match index. */
  private readonly hits = new Map<number, HTMLElement>();
  /** One scope per search (shell/scope): the text read for an older search, or for the
   * document shown before, is dropped. */
  private readonly searches = scopedView();

  constructor(private readonly onError: (e: unknown) => void) {}

  /** The document now laid out (null for none): earlier matches are forgotten. */
  show(view: PdfPages | null): void {
    this.searches.close();
    this.clear();
    this.view = view;
  }

  /** The current match's index (-1 for none), to come back to after a zoom or rotation. */
  get current(): number {
    return this.at;
  }

  /** Marks every text run containing `text` (case-insensitive) and shows match `start`. */
  search(text: string, start = 0): void {
    const scope = this.searches.open(text);
    this.clear();
    const count = byId("viewer-find-count");
    const needle = text.trim().toLowerCase();
    const view = this.view;
    if (!needle || !view) {
      count.textContent = "";
      return;
    }
    const read = view.textsIfRead();
    if (read) {
      this.found(view, read, needle, start);
      return;
    }
    count.textContent = "Searching…";
    void scope.run(
      view.allTexts(),
      (texts) => {
        if (texts) this.found(view, texts, needle, start);
      },
      (e) => {
        count.textContent = "";
        this.onError(e);
      },
    );
  }

  /** Moves to the next (1) or previous (-1) match, wrapping round. */
  next(delta: number): void {
    const view = this.view;
    if (!view || this.matches.length === 0) return;
    this.hits.get(this.at)?.classList.remove("current");
    this.at = (this.at + delta + this.matches.length) % this.matches.length;
    const at = this.at;
    const page = this.matches[at]!.page;
    byId("viewer-find-count").textContent = `${at + 1} of ${this.matches.length} (page ${page})`;
    const drawn = view.reveal(page);
    if (this.hits.has(at)) {
      this.focus(at);
      return;
    }
    // Drawn for this search only: a newer search, or another document, drops it.
    const scope = this.searches.scope;
    if (!scope) return;
    void scope.run(
      drawn,
      (ok) => {
        if (ok && at === this.at) this.focus(at);
      },
      () => undefined,
    );
  }

  /** A page was drawn: its matches are highlighted. */
  paint(n: number, holder: HTMLElement, viewport: PageViewport): void {
    this.matches.forEach((m, i) => {
      if (m.page !== n || this.hits.has(i)) return;
      // The word's share of the run's width (pdf.js gives a run's box, not each glyph's).
      const { x, y, w, h, str } = m.run;
      const [left, right] = [x + w * share(str, m.from), x + w * share(str, m.to)];
      const [x1, y1, x2, y2] = viewport.convertToViewportRectangle([left, y, right, y + h]) as number[];
      const hit = el("div", { className: i === this.at ? "find-hit current" : "find-hit" });
      Object.assign(hit.style, {
        left: `${Math.min(x1!, x2!)}px`,
        top: `${Math.min(y1!, y2!)}px`,
        width: `${Math.abs(x2! - x1!)}px`,
        height: `${Math.abs(y2! - y1!)}px`,
      });
      holder.appendChild(hit);
      this.hits.set(i, hit);
    });
  }

  /** A page gave its canvas back: its highlights are gone with it. */
  released(n: number): void {
    for (const [i, hit] of this.hits) {
      if (this.matches[i]?.page !== n) continue;
      hit.remove();
      this.hits.delete(i);
    }
  }

  private found(view: PdfPages, texts: TextRun[][], needle: string, start: number): void {
    texts.forEach((runs, i) => {
      for (const run of runs) {
        const text = run.str.toLowerCase();
        for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length))
          this.matches.push({ page: i + 1, run, from: at, to: at + needle.length });
      }
    });
    if (this.matches.length === 0) {
      byId("viewer-find-count").textContent = "No matches";
      return;
    }
    for (const p of view.drawn()) this.paint(p.n, p.holder, p.viewport);
    this.at = Math.min(Math.max(0, start), this.matches.length - 1) - 1;
    this.next(1);
  }

  private focus(at: number): void {
    const hit = this.hits.get(at);
    if (!hit) return;
    hit.classList.add("current");
    hit.scrollIntoView({ block: "center", inline: "center" });
  }

  private clear(): void {
    for (const hit of this.hits.values()) hit.remove();
    this.hits.clear();
    this.matches = [];
    this.at = -1;
  }
}

/** Measures text in a proportional font (null where there is no canvas, as in jsdom): made on
 * first use and kept, as it holds nothing of a document. */
const measuring: { context?: CanvasRenderingContext2D | null } = {};

function measurer(): CanvasRenderingContext2D | null {
  if (measuring.context === undefined) {
    measuring.context = document.createElement("canvas").getContext("2d");
    if (measuring.context) measuring.context.font = "100px sans-serif";
  }
  return measuring.context;
}

/** How far into `str` its first `chars` characters reach, as a share of its width: measured
 * in a sans-serif font (a PDF's Helvetica or Arial is close), by character count without one. */
function share(str: string, chars: number): number {
  const measure = measurer();
  const whole = measure?.measureText(str).width ?? 0;
  if (!measure || whole <= 0) return chars / str.length;
  return measure.measureText(str.slice(0, chars)).width / whole;
}
