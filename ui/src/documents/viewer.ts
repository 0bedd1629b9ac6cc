// Full-window viewer: images and PDFs (pdf.js, every page) with zoom, rotate and pan by drag;
// Ctrl+F finds text in a PDF (Enter for the next match); arrow keys move to the previous/next
// document of the list. Bytes come only from the core (open_document).
import * as pdfjs from "pdfjs-dist";
import { backend } from "../backend/api";
import type { DocumentRow, UiError } from "../backend/types";
import { byId, el, show } from "../shell/dom";

pdfjs.GlobalWorkerOptions.workerSrc = new URL("pdfjs-dist/build/pdf.worker.min.mjs", import.meta.url).toString();

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
  zoom = 1;
  rotation = 0;
  current = null;
  clearBody();
  byId("viewer-title").textContent = `${row.file_name} (${index + 1} of ${list.length})`;
  const status = byId("viewer-status");
  status.textContent = "Opening…";
  byId("viewer-body").focus();
  try {
    current = { row, bytes: await backend.openDocument(mrn, row.id) };
    await render();
    status.textContent = "";
  } catch (e) {
    status.textContent = (e as UiError).message ?? String(e);
  }
}

async function render(): Promise<void> {
  if (!current) return;
  clearBody();
  const isPdf = current.row.content_type === "application/pdf";
  show(byId("viewer-find"), isPdf);
  if (isPdf) {
    await renderPdf(current.bytes);
    const text = byId<HTMLInputElement>("viewer-find-text").value;
    if (text) find(text);
  } else renderImage(current.bytes, current.row.content_type);
}

function renderImage(bytes: ArrayBuffer, type: string): void {
  objectUrl = URL.createObjectURL(new Blob([bytes], { type }));
  const img = el("img", { attrs: { src: objectUrl, alt: list[index]?.file_name ?? "document", id: "viewer-image" } });
  byId("viewer-body").replaceChildren(img);
  applyTransform();
}

async function renderPdf(bytes: ArrayBuffer): Promise<void> {
  // pdf.js takes ownership of the buffer it is given: hand it a copy.
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes.slice(0)), isEvalSupported: false }).promise;
  const body = byId("viewer-body");
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const viewport = page.getViewport({ scale: 1.5 * zoom, rotation });
    const canvas = el("canvas", { attrs: { "aria-label": `Page ${n} of ${doc.numPages}`, "data-page": String(n) } });
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    const holder = el("div", { className: "pdf-page" }, [canvas]);
    body.appendChild(holder);
    await page.render({ canvas, viewport }).promise;
    const content = await page.getTextContent();
    const items = content.items.filter((i) => "str" in i) as PageText["items"];
    pages.push({ page: holder, viewport, items });
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
    void render();
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
