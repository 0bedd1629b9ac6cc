// Full-window viewer: images (zoom, rotate) and PDFs (pdf.js, every page); arrow keys move to the
// previous/next document of the list. Bytes come only from the core (open_document).
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

export function initViewer(): void {
  byId("viewer-close").addEventListener("click", closeViewer);
  byId("viewer-prev").addEventListener("click", () => step(-1));
  byId("viewer-next").addEventListener("click", () => step(1));
  byId("viewer-zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  byId("viewer-zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  byId("viewer-rotate").addEventListener("click", () => rotate());
  byId("viewer").addEventListener("keydown", (e) => {
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
  if (current.row.content_type === "application/pdf") await renderPdf(current.bytes);
  else renderImage(current.bytes, current.row.content_type);
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
    body.appendChild(canvas);
    await page.render({ canvas, viewport }).promise;
  }
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
  const img = document.getElementById("viewer-image");
  if (img) img.style.transform = `scale(${zoom}) rotate(${rotation}deg)`;
  else void render();
}
