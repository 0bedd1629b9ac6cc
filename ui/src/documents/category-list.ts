// The category view: a tile's documents (newest first, from the core) with thumbnails, filtered
// by name and date; or the patient-wide search across categories. Selected rows (or all listed)
// export to one ZIP. The list is a view (shell/scope) with one scope per patient and category
// (or search): every answer, and every action's reply, reaches the list only through it, so one
// for a patient or category no longer on screen is dropped.
import { backend, platform } from "../backend/api";
import { PAGE_ROWS } from "../backend/contract";
import type { DocumentRow, FirstRows, Tile } from "../backend/types";
import { byId, el, show, showMessage } from "../shell/dom";
import { type Scope, view } from "../shell/scope";
import { parseUkDate } from "../shell/uk-date";
import { hideHistory, showHistory } from "./removed-list";
import { scrollAnchor } from "./scroll-anchor";
import { setUploadTarget } from "./upload";
import { closeViewer, openViewer } from "./viewer";

let rows: DocumentRow[] = [];
let mrn = "";
/** Search results span categories: each row then names its category. */
let searching = false;
let loading = false;
/** More rows follow those shown: "Show more" lists the page after this row. */
let next: string | null = null;
const selected = new Set<string>();
/** Thumbnail object URLs by document id (revoked when the list is left). */
const thumbs = new Map<string, string>();
/** The list shown, across its reloads (a reload supersedes a load, not the list): its
 * thumbnails live as long as it does. */
const listed = view();
let onRecordChanged: () => void = () => undefined;
/** What the list shows: MRN and category, or MRN and search. */
const list = view();

/** `recordChanged` refreshes the banner and tiles after a change such as a stamp. */
export function initCategoryList(recordChanged: () => void): void {
  onRecordChanged = recordChanged;
  for (const id of ["doc-filter", "doc-from", "doc-to"]) byId(id).addEventListener("input", render);
  byId("select-all").addEventListener("change", (e) => {
    const on = (e.target as HTMLInputElement).checked;
    for (const r of visibleRows()) {
      if (on) selected.add(r.id);
      else selected.delete(r.id);
    }
    render();
  });
  byId("export-selected").addEventListener("click", () => void exportRows([...selected]));
  byId("export-all").addEventListener("click", () => void exportRows(visibleRows().map((r) => r.id)));
  byId("doc-show-more").addEventListener("click", () => void showMore());
}

/** The next page of the category, added below the rows shown, in the same scope. */
async function showMore(): Promise<void> {
  const scope = list.scope;
  if (!current || !scope || !next || loading) return;
  loading = true;
  render();
  await fill(scope, backend.listDocumentsPage(mrn, current.category, next, PAGE_ROWS), "more");
}

/** Shows the patient-wide search results in the list. */
export async function showSearch(patientMrn: string, text: string): Promise<void> {
  const scope = list.open(`${patientMrn}/search/${text}`);
  mrn = patientMrn;
  current = null;
  searching = true;
  setUploadTarget(null, false);
  byId("category-title").textContent = `Documents matching "${text}"`;
  startList(scope.key);
  await fill(scope, backend.searchDocuments(patientMrn, text), "search");
}

/** Empties the list while the next one loads: never the previous rows under a new title. */
function startList(key: string): void {
  listed.open(key).defer(() => {
    for (const url of thumbs.values()) URL.revokeObjectURL(url);
    thumbs.clear();
  });
  resetList();
  hideHistory();
  rows = [];
  next = null;
  loading = true;
  render();
}

/** Rows as a list answers them: a page, with the cursor of the page after (none: that was all),
 * or a search's rows, all at once. */
type Listed = { rows: DocumentRow[]; next?: string | null } | DocumentRow[];

/**
 * Shows `answer` while `scope` is the list on screen (a stale answer or error never arrives):
 * the rows, or (`more`) the next page below them. A failed category hides the list and says
 * why; a failed reload keeps the rows shown; a failed page keeps them and says why.
 */
async function fill(scope: Scope, answer: Promise<Listed>, kind: "category" | "search" | "reload" | "more"): Promise<void> {
  await scope.run(
    answer,
    (found) => {
      const page = Array.isArray(found) ? { rows: found } : found;
      const shown = new Set(rows.map((r) => r.id));
      rows = kind === "more" ? [...rows, ...page.rows.filter((r) => !shown.has(r.id))] : page.rows;
      next = page.next ?? null;
      // A reload that listed every row knows the count; with pages left the title keeps the tile's.
      if (kind === "reload" && current && next === null) byId("category-title").textContent = `${current.label} (${rows.length})`;
      if (kind !== "reload") showMessage(byId("tile-note"), null);
      show(byId("category-view"), true);
      loaded();
    },
    (e) => {
      if (kind === "category") show(byId("category-view"), false);
      if (kind !== "reload") showMessage(byId("tile-note"), e.message);
      loaded();
    },
  );
}

function loaded(): void {
  loading = false;
  render();
}

async function exportRows(ids: string[]): Promise<void> {
  const status = byId("export-status");
  if (ids.length === 0) return;
  status.textContent = `Exporting ${ids.length} document${ids.length === 1 ? "" : "s"}…`;
  await list.run(
    backend.exportDocuments(mrn, ids, []),
    (done) => {
      status.textContent = done ? exported(done.files, done.bytes, done.path) : "Export cancelled";
    },
    (e) => {
      status.textContent = e.message;
    },
  );
}

/** The desktop has written the file; the browser has only started its download. */
function exported(files: number, bytes: number, path: string): string {
  const what = `${files} document${files === 1 ? "" : "s"} (${formatSize(bytes)})`;
  return platform.saveDialog
    ? `Saved ${what} to ${path}`
    : `Downloading ${what} as ${path}: see your browser's downloads`;
}

function resetList(): void {
  selected.clear();
  byId("export-status").textContent = "";
}

/** A thumbnail for image documents (fetched once through the core), else a type badge. */
function preview(r: DocumentRow): HTMLElement {
  const badge = el("span", { className: "type-icon", text: r.content_type === "application/pdf" ? "PDF" : "IMG" });
  if (!r.has_thumbnail) return badge;
  const img = el("img", { attrs: { alt: "" } });
  const cached = thumbs.get(r.id);
  if (cached) {
    img.src = cached;
    return img;
  }
  void list.run(
    backend.documentThumbnail(mrn, r.id),
    (bytes) => {
      if (bytes.byteLength === 0) return img.replaceWith(badge);
      const url = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
      thumbs.set(r.id, url);
      img.src = url;
    },
    () => img.replaceWith(badge),
  );
  return img;
}

/**
 * Detach or delete after a second, explicit click naming the file (a confirmation that works
 * from the keyboard and cannot be dismissed by accident). A delete also asks why: the reason
 * stays on the document's tombstone in the history below the list.
 */
function removeButton(row: DocumentRow, verb: "Detach" | "Delete"): HTMLElement {
  const button = el("button", {
    text: verb,
    className: "remove-button",
    attrs: { type: "button", "aria-label": `${verb} ${row.file_name}` },
  });
  const why =
    verb === "Delete"
      ? el("input", {
          className: "delete-reason",
          attrs: { type: "text", "aria-label": `Why delete ${row.file_name}?`, placeholder: "Why? (kept in the history)" },
        })
      : null;
  const control = el("span", { className: "remove-control" }, why ? [button, why] : [button]);
  if (why) show(why, false);
  let armed = false;
  const disarm = () => {
    armed = false;
    button.textContent = verb;
    button.classList.remove("armed");
    if (why) {
      why.value = "";
      show(why, false);
    }
  };
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = `${verb} "${row.file_name}"? Click again`;
      button.classList.add("armed");
      if (why) {
        show(why, true);
        why.focus();
      }
      return;
    }
    // Sent as typed: the server decides what a reason must be and says so (invalid_input).
    const reason = why?.value ?? "";
    await list.run(
      verb === "Detach" ? backend.detachDocument(mrn, row.id) : backend.deleteDocument(mrn, row.id, reason),
      () => {
        rows = rows.filter((r) => r.id !== row.id);
        render();
        showMessage(byId("tile-note"), `${row.file_name}: ${verb === "Detach" ? "detached (files kept)" : "deleted"}.`);
        onRecordChanged();
        const scope = list.scope;
        if (current && scope) void showHistory(scope, mrn, current.category);
      },
      (e) => {
        showMessage(byId("tile-note"), e.message);
        if (why && e.code === "invalid_input") why.focus();
      },
    );
  });
  // Enter in the reason box is the second click.
  why?.addEventListener("keydown", (e) => {
    if (e.key === "Enter") button.click();
  });
  control.addEventListener("focusout", (e) => {
    if (!control.contains(e.relatedTarget as Node | null)) disarm();
  });
  return control;
}

async function stamp(row: DocumentRow): Promise<void> {
  await list.run(
    backend.stampDocument(mrn, row.id),
    (updated) => {
      rows = rows.map((r) => (r.id === updated.id ? updated : r));
      render();
      showMessage(byId("tile-note"), `${row.file_name}: ${updated.stamp ?? "stamped"}.`);
      onRecordChanged();
    },
    (e) => showMessage(byId("tile-note"), e.message),
  );
}

let current: Tile | null = null;

/** `first`: the rows the find already answered for this category (no list request); "Show more"
 * lists the rest when there are more. */
export async function showCategory(patientMrn: string, tile: Tile, canUpload: boolean, first?: FirstRows): Promise<void> {
  const scope = list.open(`${patientMrn}/${tile.category}`);
  mrn = patientMrn;
  current = tile;
  searching = false;
  setUploadTarget({ mrn, category: tile.category }, canUpload);
  byId("category-title").textContent = `${tile.label} (${tile.count})`;
  startList(scope.key);
  const history = showHistory(scope, patientMrn, tile.category);
  const shown = first?.category === tile.category ? first : undefined;
  const page = shown ? Promise.resolve(shown) : backend.listDocumentsPage(patientMrn, tile.category, null, PAGE_ROWS);
  await fill(scope, page, "category");
  await history;
}

/** Re-reads the open category's list (after an upload); on failure the rows on screen stay. */
export async function reloadCategory(): Promise<void> {
  const key = list.scope?.key;
  if (!current || !key) return;
  // Same view, newer request: it supersedes a load still in flight. An upload may have
  // replaced a preop image: the history is read again too.
  const scope = list.open(key);
  const history = showHistory(scope, mrn, current.category);
  // As many rows as were shown, so a reload never takes back rows paged in.
  const shownRows = Math.max(rows.length, PAGE_ROWS);
  await fill(scope, backend.listDocumentsPage(mrn, current.category, null, shownRows), "reload");
  await history;
}

/**
 * The open record changed (a colleague, the processing worker): the list of `patientMrn`'s open
 * category is read again in place. Focus stays on the same row's control (`render`), the
 * selection and the scroll position stay on the same rows, and only new documents are
 * announced. Nothing happens for another patient, a search, or no list.
 */
export async function refreshCategory(patientMrn: string): Promise<void> {
  const key = list.scope?.key;
  if (!current || !key || mrn !== patientMrn) return;
  const before = new Set(rows.map((r) => r.id));
  const place = scrollAnchor();
  await reloadCategory();
  if (list.scope?.key !== key) return;
  place();
  const added = rows.filter((r) => !before.has(r.id)).length;
  if (added > 0) byId("doc-list-status").textContent = `${added} new document${added === 1 ? "" : "s"}`;
}

export function hideCategory(): void {
  list.close();
  closeViewer();
  setUploadTarget(null, false);
  current = null;
  rows = [];
  next = null;
  listed.close();
  resetList();
  hideHistory();
  show(byId("category-view"), false);
}

function visibleRows(): DocumentRow[] {
  const text = byId<HTMLInputElement>("doc-filter").value.trim().toLowerCase();
  const from = dateLimit("doc-from");
  const to = dateLimit("doc-to");
  return rows.filter((r) => {
    const day = r.created.slice(0, 10);
    return (!text || r.file_name.toLowerCase().includes(text)) && (!from || day >= from) && (!to || day <= to);
  });
}

/** The box's date as `yyyy-mm-dd`; "" for none. A date that cannot be read is marked invalid
 * and filters nothing, so a half-typed date never hides documents. */
function dateLimit(id: string): string {
  const box = byId<HTMLInputElement>(id);
  const parsed = parseUkDate(box.value);
  box.setAttribute("aria-invalid", String(parsed === null));
  return parsed ?? "";
}

/** The list control with focus (row and name): a redraw replaces the rows, and gives it back. */
function focusInList(): { id: string; label: string | null } | null {
  const active = document.activeElement;
  const tr = active instanceof HTMLElement ? active.closest<HTMLElement>("#doc-rows tr") : null;
  return active && tr ? { id: tr.dataset.docId ?? "", label: active.getAttribute("aria-label") } : null;
}

/** Focus back on the same control of the same row, or on the row's Open button when that
 * control went (a stamp button once stamped): never dropped to the page behind. */
function giveFocusBack(was: { id: string; label: string | null } | null): void {
  if (!was) return;
  const tr = Array.from(byId("doc-rows").querySelectorAll<HTMLElement>("tr")).find((r) => r.dataset.docId === was.id);
  if (!tr) return;
  const controls = Array.from(tr.querySelectorAll<HTMLElement>("button, input"));
  (controls.find((c) => c.getAttribute("aria-label") === was.label) ?? tr.querySelector<HTMLElement>("button"))?.focus();
}

function render(): void {
  const shown = visibleRows();
  const hadFocus = focusInList();
  byId("doc-rows").replaceChildren(
    ...shown.map((r, i) => {
      const open = el("button", { text: "Open", attrs: { type: "button", "aria-label": `Open ${r.file_name}` } });
      open.disabled = !r.can_open;
      open.addEventListener("click", () => openViewer(mrn, shown, i));
      const actions: HTMLElement[] = [open];
      if (r.stamp_action) {
        const stampButton = el("button", {
          text: r.stamp_action,
          className: "stamp-button",
          attrs: { type: "button", "aria-label": `${r.stamp_action}: ${r.file_name}` },
        });
        stampButton.addEventListener("click", () => void stamp(r));
        actions.push(stampButton);
      }
      if (r.can_remove) actions.push(removeButton(r, "Detach"), removeButton(r, "Delete"));
      const pick = el("input", { attrs: { type: "checkbox", "aria-label": `Select ${r.file_name}` } });
      pick.checked = selected.has(r.id);
      pick.addEventListener("change", () => {
        if (pick.checked) selected.add(r.id);
        else selected.delete(r.id);
        updateExportButtons();
      });
      // What the server is doing with it, under the name; a row that cannot be opened says why
      // (the note, else the scan verdict) with its disabled Open button.
      const [noteId, scanId] = [`doc-note-${r.id}`, `doc-scan-${r.id}`];
      if (!r.can_open) open.setAttribute("aria-describedby", r.status_note ? noteId : scanId);
      const name = el("td", { text: searching ? `${r.category_label} · ${r.file_name}` : r.file_name });
      if (r.status_note) name.append(el("span", { className: "status-note", text: r.status_note, attrs: { id: noteId } }));
      if (r.duplicate_note) name.append(el("span", { className: "duplicate-note", text: r.duplicate_note }));
      // A search says where the words were found (the server read the document's text).
      if (searching && r.found_in) name.append(el("span", { className: "found-in", text: r.found_in }));
      return el("tr", { attrs: { "data-doc-id": r.id } }, [
        el("td", {}, [pick]),
        el("td", { className: "thumb" }, [preview(r)]),
        name,
        el("td", { text: new Date(r.created).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) }),
        el("td", { text: r.uploaded_by }),
        el("td", { text: formatSize(Number(r.size)) }),
        el("td", { text: r.stamp ?? "—", className: "stamp-cell" }),
        el("td", { text: r.scan_status, className: r.scan_status === "infected" ? "scan-infected" : "", attrs: { id: scanId } }),
        el("td", { className: "actions" }, actions),
      ]);
    }),
  );
  giveFocusBack(hadFocus);
  show(byId("doc-empty"), shown.length === 0 && !loading);
  show(byId("doc-show-more"), next !== null);
  byId<HTMLButtonElement>("doc-show-more").disabled = loading;
  // Set only when it changes: a refresh with the same count must not be announced again.
  const words = loading ? "" : listedWords(shown.length, rows.length);
  const status = byId("doc-list-status");
  if (status.textContent !== words) status.textContent = words;
  updateExportButtons();
}

/** What a screen reader hears once a list is drawn or filtered (the table itself is silent). */
export function listedWords(shown: number, all: number): string {
  const noun = (n: number) => `${n} document${n === 1 ? "" : "s"}`;
  if (shown === all) return `${noun(all)} listed`;
  return `${noun(shown)} of ${all} listed (filtered)`;
}

function updateExportButtons(): void {
  byId<HTMLButtonElement>("export-selected").disabled = selected.size === 0;
  byId<HTMLButtonElement>("export-all").disabled = visibleRows().length === 0;
  byId("export-selected").textContent = selected.size ? `Export ${selected.size} selected…` : "Export selected…";
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
