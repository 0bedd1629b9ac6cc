// Full-window viewer: images and PDFs (pdf.js, every page) with zoom, rotate and pan by drag;
// Ctrl+F finds text in a PDF (Enter for the next match); arrow keys move to the previous/next
// document of the list. Bytes come only from the core (open_document). Only the newest load or
// render may draw: a document (or error) that arrives after moving on is dropped, and a PDF
// page loop stops once a newer render started (shell/request-guard).
import * as pdfjs from "pdfjs-dist/legacy/build/pdf.mjs";
import { backend } from "../backend/api";
import type { DocumentRow, UiError } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import { latest, type Ticket } from "../shell/request-guard";
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
let objectUrl: string | null = null;
let current: { row: DocumentRow; bytes: ArrayBuffer } | null = null;
let returnFocus: HTMLElement | null = null;
/** Text of each rendered PDF page, for find. */
type PageText = { page: HTMLElement; viewport: pdfjs.PageViewport; items: { str: string; transform: number[]; width: number; height: number }[] };
let pages: PageText[] = [];
let hits: HTMLElement[] = [];
let hitIndex = -1;
/** Which document (MRN and id) may draw in the body. */
const guard = latest();
const keyFor = (row: DocumentRow) => `${mrn}/${row.id}`;

export function initViewer(): void {
  byId("viewer-close").addEventListener("click", closeViewer);
  byId("viewer-prev").addEventListener("click", () => step(-1));
  byId("viewer-next").addEventListener("click", () => step(1));
  byId("viewer-zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  byId("viewer-zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  byId("viewer-rotate").addEventListener("click", () => rotate());
  initPan();
  const findText = byId<HTMLInputElement>("viewer-find-text");
  findText.addEventListener("input", () => find(findText.value));
  findText.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") nextHit(e.shiftKey ? -1 : 1);
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
      "+": () => setZoom(zoom * 1.25),
      "=": () => setZoom(zoom * 1.25),
      "-": () => setZoom(zoom / 1.25),
      r: rotate,
      R: rotate,
    };
    const action = actions[e.key];
    if (action) {
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
  show(byId("viewer"), true);
  void load();
}

export function closeViewer(): void {
  guard.cancel();
  current = null;
  if (byId("viewer").hidden) return;
  show(byId("viewer"), false);
  clearBody();
  returnFocus?.focus();
}

function step(delta: number): void {
  const next = index + delta;
  if (next < 0 || next >= list.length) return;
  index = next;
  void load();
}

function clearBody(): void {
  byId("viewer-body").replaceChildren();
  pages = [];
  hits = [];
  hitIndex = -1;
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = null;
}

/** Fetches the current document once (each open is audited by the core), then renders it. */
async function load(): Promise<void> {
  const row = list[index];
  if (!row) return;
  const ticket = guard.next(keyFor(row));
  zoom = 1;
  rotation = 0;
  current = null;
  clearBody();
  byId("viewer-title").textContent = `${row.file_name} (${index + 1} of ${list.length})`;
  const status = byId("viewer-status");
  status.textContent = "Opening…";
  byId("viewer-body").focus();
  let bytes: ArrayBuffer;
  try {
    bytes = await backend.openDocument(mrn, row.id);
  } catch (e) {
    if (ticket.current()) status.textContent = (e as UiError).message ?? String(e);
    return;
  }
  if (!ticket.current()) return;
  current = { row, bytes };
  await render(ticket);
}

/** Draws the current document; a zoom or rotation of a PDF starts a newer render (a new ticket
 * for the same document) so the older page loop stops. */
async function render(ticket: Ticket): Promise<void> {
  const shown = current;
  if (!shown) return;
  clearBody();
  const status = byId("viewer-status");
  const isPdf = shown.row.content_type === "application/pdf";
  show(byId("viewer-find"), isPdf);
  try {
    if (isPdf) {
      await renderPdf(shown.bytes, ticket);
      if (!ticket.current()) return;
      const text = byId<HTMLInputElement>("viewer-find-text").value;
      if (text) find(text);
    } else renderImage(shown.bytes, shown.row.content_type);
    status.textContent = "";
  } catch (e) {
    if (ticket.current()) status.textContent = (e as UiError).message ?? String(e);
  }
}

function renderImage(bytes: ArrayBuffer, type: string): void {
  objectUrl = URL.createObjectURL(new Blob([bytes], { type }));
  const img = el("img", { attrs: { src: objectUrl, alt: list[index]?.file_name ?? "document", id: "viewer-image" } });
  byId("viewer-body").replaceChildren(img);
  applyTransform();
}

/** Appends the pages one by one, checking after every await that no newer render began (its
 * clearBody already emptied the body: appending now would mix or duplicate pages). */
async function renderPdf(bytes: ArrayBuffer, ticket: Ticket): Promise<void> {
  // pdf.js takes ownership of the buffer it is given: hand it a copy.
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes.slice(0)), isEvalSupported: false });
  // Superseded: stop parsing and drawing now (the pending awaits reject and are dropped).
  const stop = () => void task.destroy();
  ticket.signal.addEventListener("abort", stop, { once: true });
  try {
    const doc = await task.promise;
    const body = byId("viewer-body");
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      if (!ticket.current()) return;
      const viewport = page.getViewport({ scale: 1.5 * zoom, rotation });
      const canvas = el("canvas", { attrs: { "aria-label": `Page ${n} of ${doc.numPages}`, "data-page": String(n) } });
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      const holder = el("div", { className: "pdf-page" }, [canvas]);
      body.appendChild(holder);
      await page.render({ canvas, viewport }).promise;
      const content = await page.getTextContent();
      if (!ticket.current()) return;
      const items = content.items.filter((i) => "str" in i) as PageText["items"];
      pages.push({ page: holder, viewport, items });
    }
  } finally {
    // Pages are drawn and their text kept: the parsed document is not needed any more.
    ticket.signal.removeEventListener("abort", stop);
    void task.destroy();
  }
}

/** Marks every text run containing `text` (case-insensitive) and shows the first. */
function find(text: string): void {
  for (const h of hits) h.remove();
  hits = [];
  hitIndex = -1;
  const needle = text.trim().toLowerCase();
  const count = byId("viewer-find-count");
  if (!needle) {
    count.textContent = "";
    return;
  }
  for (const p of pages) {
    for (const item of p.items) {
      if (!item.str.toLowerCase().includes(needle)) continue;
      const [x, y] = [item.transform[4] ?? 0, item.transform[5] ?? 0];
      const [x1, y1, x2, y2] = p.viewport.convertToViewportRectangle([x, y, x + item.width, y + item.height]);
      const hit = el("div", { className: "find-hit" });
      Object.assign(hit.style, {
        left: `${Math.min(x1, x2)}px`,
        top: `${Math.min(y1, y2)}px`,
        width: `${Math.abs(x2 - x1)}px`,
        height: `${Math.abs(y2 - y1)}px`,
      });
      p.page.appendChild(hit);
      hits.push(hit);
    }
  }
  if (hits.length === 0) count.textContent = "No matches";
  else nextHit(1);
}

function nextHit(delta: number): void {
  if (hits.length === 0) return;
  hits[hitIndex]?.classList.remove("current");
  hitIndex = (hitIndex + delta + hits.length) % hits.length;
  const hit = hits[hitIndex];
  if (!hit) return;
  hit.classList.add("current");
  hit.scrollIntoView({ block: "center", inline: "center" });
  const pageNumber = pages.findIndex((p) => p.page.contains(hit)) + 1;
  byId("viewer-find-count").textContent = `${hitIndex + 1} of ${hits.length} (page ${pageNumber})`;
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
    if (current) void render(guard.next(keyFor(current.row)));
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
