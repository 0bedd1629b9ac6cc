// Adding scans: chosen with the file dialog or dropped on a tile. Each file shows its own
// byte progress (events from the core), a Cancel button and its result; "Preop already holds
// 3 images" offers "Replace oldest". The list shows the uploads of one patient's category (a
// view, shell/scope): a result answered after staff moved on is not written there.
import { backend } from "../backend/api";
import type { UiError, UploadOutcome } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import { view, viewState } from "../shell/scope";

type Target = { mrn: string; category: string };
/** What to do once a file lands, or is queued (set once at start). */
const hooks = { added: (): void => undefined, queued: (): void => undefined };
/** Progress bars and status words of uploads in flight, by upload id. */
const bars = new Map<string, { bar: HTMLProgressElement; status: HTMLElement }>();
/** The status of each upload that was queued, by doc id: it says "Added" once a background
 * round sent it. */
const waiting = new Map<string, HTMLElement>();
/** The patient and category whose uploads the list shows; the category the file dialog and a
 * drop on the list add to is the state of that opening, dropped with it. */
const uploads = view();
const targets = viewState<Target>();

/** `added` refreshes tiles and the list after a file lands. */
export function initUpload(added: () => void, queued: () => void = () => undefined): void {
  hooks.added = added;
  hooks.queued = queued;
  acceptDropsOnList();
  void backend.onUploadProgress((p) => {
    const shown = bars.get(p.upload_id);
    if (!shown || p.total === 0) return;
    const { bar, status } = shown;
    bar.max = p.total;
    bar.value = p.sent;
    bar.setAttribute("aria-valuetext", `${Math.round((100 * p.sent) / p.total)}%`);
    // The list is a polite live region: its words change only at each quarter, so a screen
    // reader hears the progress without a running commentary.
    const words = progressWords(p.sent, p.total);
    if (status.textContent !== words) status.textContent = words;
  });
  const input = byId<HTMLInputElement>("upload-input");
  byId("upload-choose").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const target = targets.current;
    if (target && input.files) for (const f of Array.from(input.files)) void send(f, target, false);
    input.value = "";
  });
}

/** Files dropped anywhere on the open category's list go into that category. */
function acceptDropsOnList(): void {
  const view = byId("category-view");
  view.addEventListener("dragover", (e) => {
    if (!targets.current) return;
    e.preventDefault();
    view.classList.add("drop-target");
  });
  view.addEventListener("dragleave", () => view.classList.remove("drop-target"));
  view.addEventListener("drop", (e) => {
    view.classList.remove("drop-target");
    const target = targets.current;
    if (!target) return;
    e.preventDefault();
    for (const f of Array.from(e.dataTransfer?.files ?? [])) void send(f, target, false);
  });
}

/** The status words for an upload in flight, in quarters: "Uploading… 50%". */
export function progressWords(sent: number, total: number): string {
  const quarter = total > 0 ? Math.floor((4 * Math.min(sent, total)) / total) : 0;
  return quarter === 0 ? "Uploading…" : `Uploading… ${quarter * 25}%`;
}

/** Shows the upload controls for this category when the core says the user may upload. */
export function setUploadTarget(next: Target | null, canUpload: boolean): void {
  if (next) targets.hold(uploads.open(`${next.mrn}/${next.category}`), next);
  else uploads.close();
  show(byId("upload-panel"), canUpload && next !== null);
  byId("upload-list").replaceChildren();
}

/** A sync round sent these queued uploads: their lines say so. */
export function markSent(docIds: string[]): void {
  for (const id of docIds) {
    const status = waiting.get(id);
    waiting.delete(id);
    if (!status) continue;
    status.textContent = "Added";
    status.className = "";
  }
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
  const uploadId = crypto.randomUUID();
  // No value yet: an indeterminate bar while the core checks and hashes the file.
  const progress = el("progress", { attrs: { "aria-label": `Uploading ${file.name}` } });
  const status = el("span", { text: "Preparing…" });
  const cancel = el("button", {
    text: "Cancel",
    attrs: { type: "button", class: "secondary cancel-upload", "aria-label": `Cancel uploading ${file.name}` },
  });
  cancel.addEventListener("click", () => {
    cancel.disabled = true;
    void backend.cancelUpload(uploadId);
  });
  const li = item ?? el("li", {}, []);
  li.replaceChildren(el("span", { text: file.name }), progress, status, cancel);
  if (!item) byId("upload-list").appendChild(li);
  bars.set(uploadId, { bar: progress, status });
  const shown = (outcome: UploadOutcome) => {
    progress.max = 1;
    progress.value = 1;
    if (outcome.kind === "added") {
      // Every byte is in: say so even if the last progress event arrives after this answer
      // (Tauri does not order events against command replies).
      progress.setAttribute("aria-valuetext", "100%");
      status.textContent = "Added";
    } else {
      // Safe on this computer; the background sync sends it when the network is back.
      status.textContent = "Queued — uploads when the network is back";
      status.className = "queued";
      waiting.set(outcome.doc_id, status);
    }
  };
  const failed = (err: UiError) => {
    progress.remove();
    status.textContent = err.code === "cancelled" ? "Cancelled — nothing was added" : err.message;
    status.className = err.code === "cancelled" ? "" : "refused";
    if (err.code === "cache_unreadable") {
      const reset = el("button", { text: "Reset offline data", attrs: { type: "button", class: "secondary" } });
      reset.addEventListener("click", async () => {
        // eslint-disable-next-line no-restricted-syntax -- draws nothing: the retry that follows is scoped
        await backend.resetOfflineData().catch(() => undefined);
        void send(file, to, replaceOldest, li);
      });
      li.appendChild(reset);
    }
    if (err.code === "preop_full") {
      const replace = el("button", { text: "Replace oldest", attrs: { type: "button", class: "secondary replace-oldest" } });
      replace.addEventListener("click", () => void send(file, to, true, li));
      li.appendChild(replace);
    }
  };
  try {
    status.textContent = "Uploading…";
    const answer = backend.uploadDocument(uploadId, to.mrn, to.category, file.name, file, replaceOldest);
    await uploads.run(answer, shown, failed);
    // The record (or the outbox) changed whichever patient is on screen now: it is read again.
    const outcome = await answer.catch(() => null);
    if (outcome?.kind === "added") hooks.added();
    else if (outcome) hooks.queued();
  } finally {
    bars.delete(uploadId);
    cancel.remove();
  }
}
