// Full-window viewer: images and PDFs (pdf.js) with zoom, rotate and pan by drag; Ctrl+F finds
// text in a PDF (Enter for the next match); arrow keys move to the previous/next document of
// the list. Bytes come only from the core (open_document). A PDF is laid out page by page but
// only the pages near the viewport are drawn (viewer-pdf, pdf-pages), so memory stays bounded
// whatever its length; find searches every page (pdf-find). The viewer is a view (shell/scope)
// with one scope per load or render of a document: the bytes, pdf.js and image events reach the
// body only through it, so a document (or error) that arrives after moving on is dropped, and a
// PDF stops drawing (and gives its canvases back) once a newer render started. Each opening of
// the viewer is one ViewerSession (its list, the document shown, its bytes and text), dropped
// when the viewer closes. An image opens from its 1600 px JPEG (quick, and shown by every web
// view, TIFF scans too) with View original (O) beside it; a TIFF scan's pages are paged through
// (Page Up / Page Down), one preview at a time.
import { backend } from "../backend/api";
import type { DocumentRow, UiError } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import { inertOutside } from "../shell/inert";
import { type Scope, view, viewState } from "../shell/scope";
import { NO_PREVIEW_YET, pageWords, previewPages, previewPending } from "./image-pages";
import { PdfFind } from "./pdf-find";
import { type RenderState, renderPdf } from "./viewer-pdf";

/** One opening of the viewer, from `openViewer` until it closes or the next opens: the list it
 * steps through and what it shows. Dropped with its scope, the document's bytes and text too. */
interface ViewerSession extends RenderState {
  readonly mrn: string;
  readonly list: DocumentRow[];
  index: number;
  /** The document shown; `notice` stays in the status line once it is drawn. */
  current: { row: DocumentRow; bytes: ArrayBuffer; optimized: boolean; notice: string } | null;
  /** The reader chose the original of the image shown (reset when moving to another document). */
  wantOriginal: boolean;
  /** The page of an image's previews shown (1 unless a TIFF scan has more). */
  page: number;
  /** Offline, the document (keyFor) whose optimized JPEG this computer never kept: its original is
   * shown instead, and is never swapped for an optimized image that is not there (until the
   * document is opened again). */
  notKept: string | null;
  /** Where focus goes back to when the viewer closes. */
  readonly returnFocus: HTMLElement | null;
  /** Where a zoom or rotation of the PDF shown comes back to: the page in view, the find match. */
  resume: { page: number; match: number };
}

// Its searches end with the document in the body (clearBody), so an error is for the one shown.
const finder = new PdfFind((e) => {
  byId("viewer-status").textContent = (e as UiError).message ?? String(e);
});
/** The viewer open (keyed by MRN), one scope per opening; what it shows is its ViewerSession. */
const opened = view();
const sessions = viewState<ViewerSession>();
/** The document (MRN and id) that draws in the body. */
const viewer = view();
const keyFor = (s: ViewerSession, row: DocumentRow) => `${s.mrn}/${row.id}`;

export function initViewer(): void {
  // The keys and buttons act on the viewer open (none: nothing to do).
  const on = (act: (s: ViewerSession) => void) => () => {
    const s = sessions.current;
    if (s) act(s);
  };
  byId("viewer-close").addEventListener("click", closeViewer);
  byId("viewer-prev").addEventListener("click", on((s) => step(s, -1)));
  byId("viewer-next").addEventListener("click", on((s) => step(s, 1)));
  byId("viewer-zoom-in").addEventListener("click", on((s) => setZoom(s, s.zoom * 1.25)));
  byId("viewer-zoom-out").addEventListener("click", on((s) => setZoom(s, s.zoom / 1.25)));
  byId("viewer-rotate").addEventListener("click", on(rotate));
  byId("viewer-original").addEventListener("click", on(toggleOriginal));
  byId("viewer-page-prev").addEventListener("click", on((s) => turnPage(s, -1)));
  byId("viewer-page-next").addEventListener("click", on((s) => turnPage(s, 1)));
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
    const actions: Record<string, (s: ViewerSession) => void> = {
      Escape: closeViewer,
      ArrowLeft: (s) => step(s, -1),
      ArrowRight: (s) => step(s, 1),
      PageUp: (s) => turnPage(s, -1),
      PageDown: (s) => turnPage(s, 1),
      "+": (s) => setZoom(s, s.zoom * 1.25),
      "=": (s) => setZoom(s, s.zoom * 1.25),
      "-": (s) => setZoom(s, s.zoom / 1.25),
      "0": fitImage,
      r: rotate,
      R: rotate,
      o: toggleOriginal,
      O: toggleOriginal,
    };
    const action = actions[e.key];
    const s = sessions.current;
    // Page Up / Page Down scroll the body unless there are pages to turn.
    const paging = e.key === "PageUp" || e.key === "PageDown";
    if (action && s && (!paging || pagesShown(s) > 1)) {
      e.preventDefault();
      action(s);
    }
  });
}

export function openViewer(patientMrn: string, rows: DocumentRow[], start: number): void {
  const returnFocus = document.activeElement as HTMLElement | null;
  // The viewer open before (if any) ends here: what it held behind is given back, and taken again.
  const scope = opened.open(patientMrn);
  const s = sessions.hold(scope, {
    mrn: patientMrn,
    list: rows,
    index: start,
    zoom: 1,
    rotation: 0,
    current: null,
    wantOriginal: false,
    page: 1,
    // Asked again each time a document is opened or stepped to: the network may be back.
    notKept: null,
    returnFocus,
    pdf: null,
    resume: { page: 1, match: 0 },
    texts: null,
  });
  // Focus stays in the viewer while it is open; the document's scope and bytes end with it.
  scope.defer(inertOutside(byId("viewer"), [byId("lock-view")]));
  scope.defer(() => {
    viewer.close();
    s.current = null;
    // The text find read from the PDF (every page's, after a search) goes with it.
    s.texts = null;
    s.pdf = null;
  });
  show(byId("viewer"), true);
  void load(s);
}

export function closeViewer(): void {
  const s = sessions.current;
  opened.close();
  if (byId("viewer").hidden) return;
  show(byId("viewer"), false);
  clearBody(null);
  s?.returnFocus?.focus();
}

function step(s: ViewerSession, delta: number): void {
  const next = s.index + delta;
  if (next < 0 || next >= s.list.length) return;
  s.index = next;
  s.wantOriginal = false;
  s.page = 1;
  s.notKept = null;
  void load(s);
}

/** Pages of the preview shown (0 or 1: nothing to turn). */
function pagesShown(s: ViewerSession): number {
  const row = s.list[s.index];
  return row && !s.wantOriginal ? previewPages(row) : 0;
}

function turnPage(s: ViewerSession, delta: number): void {
  const next = s.page + delta;
  if (byId("viewer").hidden || next < 1 || next > pagesShown(s)) return;
  s.page = next;
  void load(s);
}

/** Previous / next page and "Page 2 of 5", for an image whose previews have several pages. */
function showPages(s: ViewerSession): void {
  const count = pagesShown(s);
  show(byId("viewer-pages"), count > 1);
  byId("viewer-page").textContent = count > 1 ? pageWords(s.page, count) : "";
  byId<HTMLButtonElement>("viewer-page-prev").disabled = s.page <= 1;
  byId<HTMLButtonElement>("viewer-page-next").disabled = s.page >= count;
}

/** Empties the body and destroys the PDF of `s`; null once closed (its scopes' clean-ups did). */
function clearBody(s: ViewerSession | null): void {
  s?.pdf?.destroy();
  if (s) s.pdf = null;
  finder.show(null);
  byId("viewer-body").replaceChildren();
}

/** Fetches the current document once (each open is audited by the core), then renders it. */
async function load(s: ViewerSession, notice = ""): Promise<void> {
  const row = s.list[s.index];
  if (!row) return;
  const scope = viewer.open(keyFor(s, row));
  s.zoom = 1;
  s.rotation = 0;
  s.current = null;
  s.texts = null;
  s.resume = { page: 1, match: 0 };
  clearBody(s);
  byId("viewer-title").textContent = `${row.file_name} (${s.index + 1} of ${s.list.length})`;
  const optimized = hasOptimized(row) && !s.wantOriginal;
  showRendition(row, optimized);
  showPages(s);
  const status = byId("viewer-status");
  status.textContent = "Opening…";
  byId("viewer-body").focus();
  // A TIFF whose preview the server is still making would only show as a broken image.
  if (!optimized && row.content_type === "image/tiff" && previewPending(row)) {
    status.textContent = NO_PREVIEW_YET;
    return;
  }
  const shownPage = optimized ? s.page : 1;
  await scope.run(
    shownPage > 1 ? backend.openDocument(s.mrn, row.id, true, shownPage) : backend.openDocument(s.mrn, row.id, optimized),
    async (bytes) => {
      s.current = { row, bytes, optimized, notice };
      await render(s, scope);
    },
    (e) => {
      if (shownPage > 1 && e.code === "optimized_not_kept") {
        status.textContent = `Offline: page ${shownPage} was not kept on this computer.`;
        return;
      }
      if (optimized && e.code === "optimized_not_kept") {
        s.notKept = keyFor(s, row);
        s.wantOriginal = true;
        void load(s, "Offline: the optimized image was not kept on this computer, so the original file is shown.");
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
function toggleOriginal(s: ViewerSession): void {
  const row = s.list[s.index];
  if (!row || !hasOptimized(row) || byId("viewer").hidden) return;
  s.wantOriginal = !s.wantOriginal;
  s.page = 1;
  void load(s);
}

/** Draws the current document; a zoom or rotation of a PDF starts a newer render (a new scope
 * for the same document) so the older view stops drawing. It comes back to the page the reader
 * was on, and to the same find match. */
async function render(s: ViewerSession, scope: Scope): Promise<void> {
  const shown = s.current;
  if (!shown) return;
  // A view still opening, or a search not answered yet, keeps the place it was given.
  if (s.pdf) s.resume = { page: s.pdf.focusPage(), match: finder.current >= 0 ? finder.current : s.resume.match };
  const { page: focus, match } = s.resume;
  clearBody(s);
  const status = byId("viewer-status");
  const isPdf = shown.row.content_type === "application/pdf";
  show(byId("viewer-find"), isPdf);
  const failed = (e: UiError) => {
    status.textContent = e.message ?? String(e);
  };
  if (!isPdf) {
    try {
      renderImage(s, shown.bytes, shown.optimized ? "image/jpeg" : shown.row.content_type, scope);
      status.textContent = shown.notice;
    } catch (e) {
      failed(e as UiError);
    }
    return;
  }
  await scope.run(
    renderPdf(s, shown.bytes, scope, focus, finder),
    (drawn) => {
      const text = byId<HTMLInputElement>("viewer-find-text").value;
      if (text) finder.search(text, match);
      if (drawn) status.textContent = shown.notice; // else the page's error is shown
    },
    failed,
  );
}

function renderImage(s: ViewerSession, bytes: ArrayBuffer, type: string, scope: Scope): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  // The image's bytes are given back when its scope ends (another document, the viewer closed).
  scope.defer(() => URL.revokeObjectURL(url));
  const img = el("img", { attrs: { src: url, alt: s.list[s.index]?.file_name ?? "document", id: "viewer-image" } });
  img.addEventListener("error", scope.bind(() => undecodable(s, type)), { once: true });
  // A scan opens whole on screen (never enlarged); + and − zoom from there, 0 fits again.
  img.addEventListener("load", scope.bind(() => fitImage(s)), { once: true });
  byId("viewer-body").replaceChildren(img);
  applyTransform(s);
}

/** The zoom at which the image shown fits the viewer's body (at most 1: never enlarged). */
function fitImage(s: ViewerSession): void {
  const img = document.getElementById("viewer-image") as HTMLImageElement | null;
  const body = byId("viewer-body");
  if (!img || !img.naturalWidth || !img.naturalHeight || !body.clientWidth) return;
  const turned = s.rotation % 180 !== 0;
  const [w, h] = turned ? [img.naturalHeight, img.naturalWidth] : [img.naturalWidth, img.naturalHeight];
  // The body's padding (16 px a side) stays clear.
  const fit = Math.min(1, (body.clientWidth - 32) / w, (body.clientHeight - 32) / h);
  setZoom(s, fit > 0 ? fit : 1);
}

/** This web view cannot draw the image (WebKitGTK and Chromium have no TIFF decoder): say so,
 * and go back to the optimized JPEG where there is one. */
function undecodable(s: ViewerSession, type: string): void {
  const current = s.current;
  if (!current) return;
  const kind = type === "image/tiff" ? "TIFF" : type.replace("image/", "").toUpperCase();
  const canFallBack = !current.optimized && hasOptimized(current.row) && s.notKept !== keyFor(s, current.row);
  const status = byId("viewer-status");
  if (canFallBack) {
    s.wantOriginal = false;
    void load(
      s,
      `This window cannot display the original ${kind} file; the optimized image is shown. Export the document to open the original in another program.`,
    );
    return;
  }
  byId("viewer-body").replaceChildren();
  status.textContent = previewPending(current.row)
    ? NO_PREVIEW_YET
    : `This window cannot display this ${kind} image. Export the document to open it in another program.`;
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

function setZoom(s: ViewerSession, value: number): void {
  s.zoom = Math.min(8, Math.max(0.125, value));
  applyTransform(s);
}

function rotate(s: ViewerSession): void {
  s.rotation = (s.rotation + 90) % 360;
  applyTransform(s);
}

/** Images are transformed; PDFs are re-rendered at the new scale and rotation, not stretched. */
function applyTransform(s: ViewerSession): void {
  const img = document.getElementById("viewer-image") as HTMLImageElement | null;
  if (!img) {
    if (s.current) void render(s, viewer.open(keyFor(s, s.current.row)));
    return;
  }
  // Zoom changes the laid-out size (not a transform) so the body scrolls and drag pans it.
  const size = () => {
    img.style.width = `${Math.round(img.naturalWidth * s.zoom)}px`;
    img.dataset.zoom = String(s.zoom);
  };
  if (img.complete) size();
  else img.addEventListener("load", size, { once: true });
  img.style.transform = `rotate(${s.rotation}deg)`;
}
