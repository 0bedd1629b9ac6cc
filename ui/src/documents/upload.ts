// Adding scans: chosen with the file dialog or dropped on a tile. Each file shows its own
// progress and result; "Preop already holds 3 images" offers "Replace oldest".
import { backend } from "../backend/api";
import type { UiError } from "../backend/types";
import { byId, el, show } from "../shell/dom";

type Target = { mrn: string; category: string };
let target: Target | null = null;
let onAdded: () => void = () => undefined;

/** `added` refreshes tiles and the list after a file lands. */
export function initUpload(added: () => void): void {
  onAdded = added;
  const input = byId<HTMLInputElement>("upload-input");
  byId("upload-choose").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    if (target && input.files) for (const f of Array.from(input.files)) void send(f, target, false);
    input.value = "";
  });
}

/** Shows the upload controls for this category when the core says the user may upload. */
export function setUploadTarget(next: Target | null, canUpload: boolean): void {
  target = next;
  show(byId("upload-panel"), canUpload && next !== null);
  byId("upload-list").replaceChildren();
}

/** Lets a tile take dropped files for its category. */
export function acceptDrops(tile: HTMLElement, mrn: string, category: string, canUpload: boolean): void {
  if (!canUpload) return;
  tile.addEventListener("dragover", (e) => {
    e.preventDefault();
    tile.classList.add("drop-target");
  });
  tile.addEventListener("dragleave", () => tile.classList.remove("drop-target"));
  tile.addEventListener("drop", (e) => {
    e.preventDefault();
    tile.classList.remove("drop-target");
    tile.click();
    for (const f of Array.from(e.dataTransfer?.files ?? [])) void send(f, { mrn, category }, false);
  });
}

async function send(file: File, to: Target, replaceOldest: boolean, item?: HTMLLIElement): Promise<void> {
  const progress = el("progress", { attrs: { "aria-label": `Uploading ${file.name}` } });
  const status = el("span", { text: "Uploading…" });
  const li = item ?? el("li", {}, []);
  li.replaceChildren(el("span", { text: file.name }), progress, status);
  if (!item) byId("upload-list").appendChild(li);
  try {
    const bytes = await file.arrayBuffer();
    await backend.uploadDocument(to.mrn, to.category, file.name, bytes, replaceOldest);
    progress.value = 1;
    progress.max = 1;
    status.textContent = "Added";
    onAdded();
  } catch (e) {
    const err = e as UiError;
    progress.remove();
    status.textContent = err.message;
    status.className = "refused";
    if (err.code === "preop_full") {
      const replace = el("button", { text: "Replace oldest", attrs: { type: "button", class: "secondary" } });
      replace.addEventListener("click", () => void send(file, to, true, li));
      li.appendChild(replace);
    }
  }
}
