// A PDF in the viewer's body (viewer.ts), through pdf.js: laid out page by page, with only the
// pages near the viewport drawn (pdf-pages) and their find matches marked (pdf-find). It draws
// only while its scope (shell/scope) is the viewer's render: a zoom, another document or the
// viewer closed stops it and gives its canvases back.
import * as pdfjs from "pdfjs-dist/legacy/build/pdf.mjs";
import type { UiError } from "../backend/types";
import { byId } from "../shell/dom";
import type { Scope } from "../shell/scope";
import type { PdfFind } from "./pdf-find";
import { PdfPages, type TextRun } from "./pdf-pages";
import { installStreamIteration } from "./stream-iteration";

// The legacy build (library and worker alike) carries polyfills for older web views such as
// WebKitGTK; the stream iteration it still lacks is added here.
installStreamIteration();
pdfjs.GlobalWorkerOptions.workerSrc = new URL("pdfjs-dist/legacy/build/pdf.worker.min.mjs", import.meta.url).toString();

/** How the viewer's opening (its ViewerSession) draws the document shown: the zoom and rotation
 * (of an image too), and for a PDF what it laid out and read. */
export interface RenderState {
  zoom: number;
  rotation: number;
  /** The PDF laid out in the body (null for an image or nothing). */
  pdf: PdfPages | null;
  /** The text read from the PDF shown, kept while only its zoom or rotation changes. */
  texts: { key: string; runs: (TextRun[] | undefined)[] } | null;
}

/** Lays out the PDF and draws the pages near the viewport, starting at page `focus`. The view
 * stops drawing (and gives its canvases back) as soon as its scope ends: a newer render, another
 * document, the viewer closed. True once the first pages are drawn. */
export async function renderPdf(s: RenderState, bytes: ArrayBuffer, scope: Scope, focus: number, finder: PdfFind): Promise<boolean> {
  // pdf.js takes ownership of the buffer it is given: hand it a copy.
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes.slice(0)), isEvalSupported: false });
  let view: PdfPages | null = null;
  // Superseded: stop parsing and drawing now (the pending awaits reject or are dropped).
  scope.defer(() => {
    view?.destroy();
    void task.destroy();
  });
  let drawn = Promise.resolve(false);
  await scope.run(
    task.promise,
    (doc) => {
      const key = scope.key;
      const read = s.texts?.key === key ? s.texts : { key, runs: [] };
      s.texts = read;
      // The body's view, not an older one of the same document still tearing down.
      const mine = () => s.pdf === view;
      view = new PdfPages(doc, byId("viewer-body"), {
        scale: 1.5 * s.zoom,
        rotation: s.rotation,
        live: () => scope.live,
        onDrawn: scope.bind((n, holder, viewport) => {
          if (mine()) finder.paint(n, holder, viewport);
        }),
        onReleased: scope.bind((n) => {
          if (mine()) finder.released(n);
        }),
        onError: scope.bind((e) => {
          byId("viewer-status").textContent = (e as UiError).message ?? String(e);
        }),
        texts: read.runs,
      });
      s.pdf = view;
      finder.show(view);
      drawn = view.open(focus);
    },
    (e) => {
      void task.destroy();
      throw e;
    },
  );
  return drawn;
}
