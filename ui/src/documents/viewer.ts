// Full-window viewer: images and PDFs (pdf.js) with zoom, rotate and pan by drag; Ctrl+F finds
// text in a PDF (Enter for the next match); arrow keys move to the previous/next document of
// the list. Bytes come only from the core (open_document). A PDF is laid out page by page but
// only the pages near the viewport are drawn (pdf-pages), so memory stays bounded whatever its
// length; find searches every page (pdf-find). The viewer is a view (shell/scope) with one
// scope per load or render of a document: the bytes, pdf.js and image events reach the body
// only through it, so a document (or error) that arrives after moving on is dropped, and a PDF
// stops drawing (and gives its canvases back) once a newer render started. An image opens from its 1600 px JPEG
// (quick, and shown by every web view, TIFF scans too) with View original (O) beside it; a TIFF
// scan's pages are paged through (Page Up / Page Down), one preview at a time.
import * as pdfjs from "pdfjs-dist/legacy/build/pdf.mjs";
import { backend } from "../backend/api";
import type { DocumentRow, UiError } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import { inertOutside } from "../shell/inert";
import { type Scope, view } from "../shell/scope";
import { NO_PREVIEW_YET, pageWords, previewPages, previewPending } from "./image-pages";
import { PdfFind } from "./pdf-find";
import { PdfPages, type TextRun } from "./pdf-pages";
import { installStreamIteration } from "./stream-iteration";

// The legacy build (library and worker alike) carries polyfills for older web views such as
// WebKitGTK; the stream iteration it still lacks is added here.
installStreamIteration();
pdfjs.GlobalWorkerOptions.workerSrc = new URL("pdfjs-dist/legacy/build/pdf.worker.min.mjs", import.meta.url).toString();

let list: DocumentRow[] = [];
let index = 0;
let mrn = "";
let zoom = 1;
let rotation = 0;
/** The document shown; `notice` stays in the status line once it is drawn. */
let current: { row: DocumentRow; bytes: ArrayBuffer; optimized: boolean; notice: string } | null = null;
/** The reader chose the original of the image shown (reset when moving to another document). */
let wantOriginal = false;
/** The page of an image's previews shown (1 unless a TIFF scan has more). */
let page = 1;
/** Offline, the document (keyFor) whose optimized JPEG this computer never kept: its original is
 * shown instead, and is never swapped for an optimized image that is not there (until the
 * document is opened again). */
let notKept: string | null = null;
let returnFocus: HTMLElement | null = null;
/** Gives back what the open viewer made inert (focus stays in the viewer while it is open). */
let releaseBehind: () => void = () => undefined;
/** The PDF laid out in the body (null for an image or nothing). */
let pdf: PdfPages | null = null;
/** Where a zoom or rotation of the PDF shown comes back to: the page in view, the find match. */
let resume = { page: 1, match: 0 };
/** The text read from the PDF shown, kept while only its zoom or rotation changes. */
let texts: { key: string; runs: (TextRun[] | undefined)[] } | null = null;
// Its searches end with the document in the body (clearBody), so an error is for the one shown.
const finder = new PdfFind((e) => {
  byId("viewer-status").textContent = (e as UiError).message ?? String(e);
});
/** The document (MRN and id) that draws in the body. */
const viewer = view();
const keyFor = (row: DocumentRow) => `${mrn}/${row.id}`;

export function initViewer(): void {
  byId("viewer-close").addEventListener("click", closeViewer);
  byId("viewer-prev").addEventListener("click", () => step(-1));
  byId("viewer-next").addEventListener("click", () => step(1));
  byId("viewer-zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  byId("viewer-zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  byId("viewer-rotate").addEventListener("click", () => rotate());
  byId("viewer-original").addEventListener("click", () => toggleOriginal());
  byId("viewer-page-prev").addEventListener("click", () => turnPage(-1));
  byId("viewer-page-next").addEventListener("click", () => turnPage(1));
  initPan();
  const findText = byId<HTMLInputElement>("viewer-find-text");
  findText.addEventListener("input", () => finder.search(findText.value));
  findText.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") finder.next(e.shiftKey ? -1 : 1);
    if (e.key === "Escape") byId("viewer-body").focus();
  });
  byId("viewer").addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "f") {
      e.preventDefault();
      if (!byId("viewer-find").hidden) findText.select();
      return;
    }
    const actions: Record<string, () => void> = {
      Escape: closeViewer,
      ArrowLeft: () => step(-1),
      ArrowRight: () => step(1),
      PageUp: () => turnPage(-1),
      PageDown: () => turnPage(1),
      "+": () => setZoom(zoom * 1.25),
      "=": () => setZoom(zoom * 1.25),
      "-": () => setZoom(zoom / 1.25),
      "0": fitImage,
      r: rotate,
      R: rotate,
      o: toggleOriginal,
      O: toggleOriginal,
    };
    const action = actions[e.key];
    // Page Up / Page Down scroll the body unless there are pages to turn.
    const paging = e.key === "PageUp" || e.key === "PageDown";
    if (action && (!paging || pagesShown() > 1)) {
      e.preventDefault();
      action();
    }
  });
}

export function openViewer(patientMrn: string, rows: DocumentRow[], start: number): void {
  returnFocus = document.activeElement as HTMLElement | null;
  mrn = patientMrn;
  list = rows;
  index = start;
  wantOriginal = false;
  page = 1;
  // Asked again each time a document is opened or stepped to: the network may be back.
  notKept = null;
  if (byId("viewer").hidden) releaseBehind = inertOutside(byId("viewer"), [byId("lock-view")]);
  show(byId("viewer"), true);
  void load();
}

export function closeViewer(): void {
  viewer.close();
  current = null;
  // The text find read from the PDF (every page's, after a search) goes with it.
  texts = null;
  if (byId("viewer").hidden) return;
  show(byId("viewer"), false);
  releaseBehind();
  clearBody();
  returnFocus?.focus();
}

function step(delta: number): void {
  const next = index + delta;
  if (next < 0 || next >= list.length) return;
  index = next;
  wantOriginal = false;
  page = 1;
  notKept = null;
  void load();
}

/** Pages of the preview shown (0 or 1: nothing to turn). */
function pagesShown(): number {
  const row = list[index];
  return row && !wantOriginal ? previewPages(row) : 0;
}

function turnPage(delta: number): void {
  const next = page + delta;
  if (byId("viewer").hidden || next < 1 || next > pagesShown()) return;
  page = next;
  void load();
}

/** Previous / next page and "Page 2 of 5", for an image whose previews have several pages. */
function showPages(): void {
  const count = pagesShown();
  show(byId("viewer-pages"), count > 1);
  byId("viewer-page").textContent = count > 1 ? pageWords(page, count) : "";
  byId<HTMLButtonElement>("viewer-page-prev").disabled = page <= 1;
  byId<HTMLButtonElement>("viewer-page-next").disabled = page >= count;
}

function clearBody(): void {
  pdf?.destroy();
  pdf = null;
  finder.show(null);
  byId("viewer-body").replaceChildren();
}

/** Fetches the current document once (each open is audited by the core), then renders it. */
async function load(notice = ""): Promise<void> {
  const row = list[index];
  if (!row) return;
  const scope = viewer.open(keyFor(row));
  zoom = 1;
  rotation = 0;
  current = null;
  texts = null;
  resume = { page: 1, match: 0 };
  clearBody();
  byId("viewer-title").textContent = `${row.file_name} (${index + 1} of ${list.length})`;
  const optimized = hasOptimized(row) && !wantOriginal;
  showRendition(row, optimized);
  showPages();
  const status = byId("viewer-status");
  status.textContent = "Opening…";
  byId("viewer-body").focus();
  // A TIFF whose preview the server is still making would only show as a broken image.
  if (!optimized && row.content_type === "image/tiff" && previewPending(row)) {
    status.textContent = NO_PREVIEW_YET;
    return;
  }
  const shownPage = optimized ? page : 1;
  await scope.run(
    shownPage > 1 ? backend.openDocument(mrn, row.id, true, shownPage) : backend.openDocument(mrn, row.id, optimized),
    async (bytes) => {
      current = { row, bytes, optimized, notice };
      await render(scope);
    },
    (e) => {
      if (shownPage > 1 && e.code === "optimized_not_kept") {
        status.textContent = `Offline: page ${shownPage} was not kept on this computer.`;
        return;
      }
      if (optimized && e.code === "optimized_not_kept") {
        notKept = keyFor(row);
        wantOriginal = true;
        void load("Offline: the optimized image was not kept on this computer, so the original file is shown.");
        return;
      }
      status.textContent = e.message ?? String(e);
    },
  );
}

// Only images have one (the server makes previews of images only).
const hasOptimized = (row: DocumentRow) => row.has_optimized;

/** The View original / View optimized button and the note saying which one is shown. */
function showRendition(row: DocumentRow, optimized: boolean): void {
  const button = byId<HTMLButtonElement>("viewer-original");
  const note = byId("viewer-rendition");
  show(button, hasOptimized(row));
  show(note, hasOptimized(row));
  button.textContent = optimized ? "View original" : "View optimized";
  button.setAttribute(
    "aria-label",
    // Starts with the words shown (label in name, WCAG 2.5.3).
    optimized ? "View original file at full resolution (O)" : "View optimized image (O)",
  );
  note.textContent = optimized ? "Optimized image, 1600 px" : "Original file";
}

/** Between an image's optimized JPEG and its original (each fetch is an audited view). */
function toggleOriginal(): void {
  const row = list[index];
  if (!row || !hasOptimized(row) || byId("viewer").hidden) return;
  wantOriginal = !wantOriginal;
  page = 1;
  void load();
}

/** Draws the current document; a zoom or rotation of a PDF starts a newer render (a new scope
 * for the same document) so the older view stops drawing. It comes back to the page the reader
 * was on, and to the same find match. */
async function render(scope: Scope): Promise<void> {
  const shown = current;
  if (!shown) return;
  // A view still opening, or a search not answered yet, keeps the place it was given.
  if (pdf) resume = { page: pdf.focusPage(), match: finder.current >= 0 ? finder.current : resume.match };
  const { page: focus, match } = resume;
  clearBody();
  const status = byId("viewer-status");
  const isPdf = shown.row.content_type === "application/pdf";
  show(byId("viewer-find"), isPdf);
  const failed = (e: UiError) => {
    status.textContent = e.message ?? String(e);
  };
  if (!isPdf) {
    try {
      renderImage(shown.bytes, shown.optimized ? "image/jpeg" : shown.row.content_type, scope);
      status.textContent = shown.notice;
    } catch (e) {
      failed(e as UiError);
    }
    return;
  }
  await scope.run(
    renderPdf(shown.bytes, scope, focus),
    (drawn) => {
      const text = byId<HTMLInputElement>("viewer-find-text").value;
      if (text) finder.search(text, match);
      if (drawn) status.textContent = shown.notice; // else the page's error is shown
    },
    failed,
  );
}

function renderImage(bytes: ArrayBuffer, type: string, scope: Scope): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  // The image's bytes are given back when its scope ends (another document, the viewer closed).
  scope.defer(() => URL.revokeObjectURL(url));
  const img = el("img", { attrs: { src: url, alt: list[index]?.file_name ?? "document", id: "viewer-image" } });
  img.addEventListener("error", scope.bind(() => undecodable(type)), { once: true });
  // A scan opens whole on screen (never enlarged); + and − zoom from there, 0 fits again.
  img.addEventListener("load", scope.bind(fitImage), { once: true });
  byId("viewer-body").replaceChildren(img);
  applyTransform();
}

/** The zoom at which the image shown fits the viewer's body (at most 1: never enlarged). */
function fitImage(): void {
  const img = document.getElementById("viewer-image") as HTMLImageElement | null;
  const body = byId("viewer-body");
  if (!img || !img.naturalWidth || !img.naturalHeight || !body.clientWidth) return;
  const turned = rotation % 180 !== 0;
  const [w, h] = turned ? [img.naturalHeight, img.naturalWidth] : [img.naturalWidth, img.naturalHeight];
  // The body's padding (16 px a side) stays clear.
  const fit = Math.min(1, (body.clientWidth - 32) / w, (body.clientHeight - 32) / h);
  setZoom(fit > 0 ? fit : 1);
}

/** This web view cannot draw the image (WebKitGTK and Chromium have no TIFF decoder): say so,
 * and go back to the optimized JPEG where there is one. */
function undecodable(type: string): void {
  if (!current) return;
  const kind = type === "image/tiff" ? "TIFF" : type.replace("image/", "").toUpperCase();
  const canFallBack = !current.optimized && hasOptimized(current.row) && notKept !== keyFor(current.row);
  const status = byId("viewer-status");
  if (canFallBack) {
    wantOriginal = false;
    void load(
      `This window cannot display the original ${kind} file; the optimized image is shown. Export the document to open the original in another program.`,
    );
    return;
  }
  byId("viewer-body").replaceChildren();
  status.textContent = previewPending(current.row)
    ? NO_PREVIEW_YET
    : `This window cannot display this ${kind} image. Export the document to open it in another program.`;
}

/** Lays out the PDF and draws the pages near the viewport, starting at page `focus`. The view
 * stops drawing (and gives its canvases back) as soon as its scope ends: a newer render, another
 * document, the viewer closed. True once the first pages are drawn. */
async function renderPdf(bytes: ArrayBuffer, scope: Scope, focus: number): Promise<boolean> {
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
      const read = texts?.key === key ? texts : { key, runs: [] };
      texts = read;
      // The body's view, not an older one of the same document still tearing down.
      const mine = () => pdf === view;
      view = new PdfPages(doc, byId("viewer-body"), {
        scale: 1.5 * zoom,
        rotation,
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
      pdf = view;
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

/** Drag with the mouse (or a finger/pen) to pan a zoomed document. */
function initPan(): void {
  const body = byId("viewer-body");
  let from: { x: number; y: number; left: number; top: number } | null = null;
  body.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    from = { x: e.clientX, y: e.clientY, left: body.scrollLeft, top: body.scrollTop };
    body.setPointerCapture(e.pointerId);
    body.classList.add("grabbing");
  });
  body.addEventListener("pointermove", (e) => {
    if (!from) return;
    body.scrollLeft = from.left - (e.clientX - from.x);
    body.scrollTop = from.top - (e.clientY - from.y);
  });
  const end = () => {
    from = null;
    body.classList.remove("grabbing");
  };
  body.addEventListener("pointerup", end);
  body.addEventListener("pointercancel", end);
}

function setZoom(value: number): void {
  zoom = Math.min(8, Math.max(0.125, value));
  applyTransform();
}

function rotate(): void {
  rotation = (rotation + 90) % 360;
  applyTransform();
}

/** Images are transformed; PDFs are re-rendered at the new scale and rotation, not stretched. */
function applyTransform(): void {
  const img = document.getElementById("viewer-image") as HTMLImageElement | null;
  if (!img) {
    if (current) void render(viewer.open(keyFor(current.row)));
    return;
  }
  // Zoom changes the laid-out size (not a transform) so the body scrolls and drag pans it.
  const size = () => {
    img.style.width = `${Math.round(img.naturalWidth * zoom)}px`;
    img.dataset.zoom = String(zoom);
  };
  if (img.complete) size();
  else img.addEventListener("load", size, { once: true });
  img.style.transform = `rotate(${rotation}deg)`;
}
