// The category view: a tile's documents (newest first, from the core) with thumbnails, filtered
// by name and date; or the patient-wide search across categories. Selected rows (or all listed)
// export to one ZIP. The list is a view (shell/scope) with one scope per patient and category
// (or search): every answer, and every action's reply, reaches the list only through it, so one
// for a patient or category no longer on screen is dropped. What an opening of the list shows
// (patient, rows, selection, thumbnails) is one ListShown (list-rows.ts), dropped when the list
// is left or the next opens.
import { backend, platform } from "../backend/api";
import { PAGE_ROWS } from "../backend/contract";
import type { DocumentRow, FirstRows, Tile, UiError } from "../backend/types";
import { byId, show, showMessage } from "../shell/dom";
import { type Scope, view, viewState } from "../shell/scope";
import { drawRows, formatSize, type ListShown, resetFilters, type RowActions, visibleRows } from "./list-rows";
import { hideHistory, showHistory } from "./removed-list";
import { scrollAnchor } from "./scroll-anchor";
import { setUploadTarget } from "./upload";
import { closeViewer } from "./viewer";

/** The list shown, across its reloads (a reload supersedes a load, not the list): its state and
 * thumbnails live as long as it does. */
const listed = view();
const shownList = viewState<ListShown>();
/** What the list loads: MRN and category, or MRN and search (reopened by each reload). */
const list = view();
/** Set once at start (initCategoryList). */
const hooks = { recordChanged: (): void => undefined };

/** `recordChanged` refreshes the banner and tiles after a change such as a stamp. */
export function initCategoryList(recordChanged: () => void): void {
  hooks.recordChanged = recordChanged;
  // The list's own controls act on the opening on screen (none: nothing to do).
  const onShown = (handle: (s: ListShown) => void) => () => {
    const s = shownList.current;
    if (s) handle(s);
  };
  for (const id of ["doc-filter", "doc-from", "doc-to"]) byId(id).addEventListener("input", onShown(render));
  byId("select-all").addEventListener(
    "change",
    onShown((s) => {
      const on = byId<HTMLInputElement>("select-all").checked;
      for (const r of visibleRows(s)) {
        if (on) s.selected.add(r.id);
        else s.selected.delete(r.id);
      }
      render(s);
    }),
  );
  byId("export-selected").addEventListener("click", onShown((s) => void exportRows(s, [...s.selected])));
  byId("export-all").addEventListener("click", onShown((s) => void exportRows(s, visibleRows(s).map((r) => r.id))));
  byId("doc-show-more").addEventListener("click", onShown((s) => void showMore(s)));
}

const actions: RowActions = { stamp, remove };
const render = (s: ListShown) => drawRows(s, actions);

/** The next page of the category, added below the rows shown, in the same scope. */
async function showMore(s: ListShown): Promise<void> {
  const scope = list.scope;
  if (!s.tile || !scope || !s.next || s.loading) return;
  s.loading = true;
  render(s);
  await fill(s, scope, backend.listDocumentsPage(s.mrn, s.tile.category, s.next, PAGE_ROWS), "more");
}

/** Shows the patient-wide search results in the list. */
export async function showSearch(patientMrn: string, text: string): Promise<void> {
  const scope = list.open(`${patientMrn}/search/${text}`);
  setUploadTarget(null, false);
  byId("category-title").textContent = `Documents matching "${text}"`;
  const s = startList(scope.key, patientMrn, null);
  await fill(s, scope, backend.searchDocuments(patientMrn, text), "search");
}

/** A new opening of the list, empty while its rows load: never the previous rows under a new
 * title. The one before is dropped, and its thumbnails given back; the filters start empty (a
 * reload keeps them, as it is no new opening). */
function startList(key: string, mrn: string, tile: Tile | null): ListShown {
  const scope = listed.open(key);
  const s = shownList.hold(scope, {
    mrn,
    tile,
    scope,
    rows: [],
    loading: true,
    next: null,
    selected: new Set(),
    thumbs: new Map(),
  });
  scope.defer(() => {
    for (const url of s.thumbs.values()) URL.revokeObjectURL(url);
    s.thumbs.clear();
  });
  byId("export-status").textContent = "";
  hideHistory();
  resetFilters();
  render(s);
  return s;
}

/** Rows as a list answers them: a page, with the cursor of the page after (none: that was all),
 * or a search's rows, all at once. */
type Listed = { rows: DocumentRow[]; next?: string | null } | DocumentRow[];

/**
 * Shows `answer` in `s` while `scope` is the list on screen (a stale answer or error never
 * arrives): the rows, or (`more`) the next page below them. A failed category hides the list and
 * says why; a failed reload keeps the rows shown; a failed page keeps them and says why.
 */
async function fill(
  s: ListShown,
  scope: Scope,
  answer: Promise<Listed>,
  kind: "category" | "search" | "reload" | "more",
): Promise<void> {
  await scope.run(
    answer,
    (found) => {
      const page = Array.isArray(found) ? { rows: found } : found;
      const shown = new Set(s.rows.map((r) => r.id));
      s.rows = kind === "more" ? [...s.rows, ...page.rows.filter((r) => !shown.has(r.id))] : page.rows;
      s.next = page.next ?? null;
      // A reload that listed every row knows the count; with pages left the title keeps the tile's.
      if (kind === "reload" && s.tile && s.next === null) byId("category-title").textContent = `${s.tile.label} (${s.rows.length})`;
      if (kind !== "reload") showMessage(byId("tile-note"), null);
      show(byId("category-view"), true);
      loaded(s);
    },
    (e) => {
      if (kind === "category") show(byId("category-view"), false);
      if (kind !== "reload") showMessage(byId("tile-note"), e.message);
      loaded(s);
    },
  );
}

function loaded(s: ListShown): void {
  s.loading = false;
  render(s);
}

/**
 * An action on rows of `s` (a stamp, a removal, an export), asked while `s` is on screen. Its
 * reply is handed over only while the list shows the same patient and category (a reload, or the
 * tile opened again, keeps it; another patient drops it), to the opening on screen then.
 */
async function act<T>(
  s: ListShown,
  request: Promise<T>,
  then: (now: ListShown, answer: T) => void,
  failed: (e: UiError) => void,
): Promise<void> {
  await list.runFor(
    s.scope.key,
    request,
    (answer) => {
      // The opening on screen must be that list too, so the two views never drift apart.
      const now = shownList.current;
      if (now?.scope.key === s.scope.key) then(now, answer);
    },
    failed,
  );
}

async function exportRows(s: ListShown, ids: string[]): Promise<void> {
  const status = byId("export-status");
  if (ids.length === 0) return;
  status.textContent = `Exporting ${ids.length} document${ids.length === 1 ? "" : "s"}…`;
  await act(
    s,
    backend.exportDocuments(s.mrn, ids, []),
    (_, done) => {
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

/** Detaches or deletes `row` (the second click of its button; see list-rows). */
async function remove(s: ListShown, row: DocumentRow, verb: "Detach" | "Delete", why: HTMLInputElement | null): Promise<void> {
  // Sent as typed: the server decides what a reason must be and says so (invalid_input).
  const reason = why?.value ?? "";
  await act(
    s,
    verb === "Detach" ? backend.detachDocument(s.mrn, row.id) : backend.deleteDocument(s.mrn, row.id, reason),
    (now) => {
      now.rows = now.rows.filter((r) => r.id !== row.id);
      render(now);
      showMessage(byId("tile-note"), `${row.file_name}: ${verb === "Detach" ? "detached (files kept)" : "deleted"}.`);
      hooks.recordChanged();
      const scope = list.scope;
      if (now.tile && scope) void showHistory(scope, now.mrn, now.tile.category);
    },
    (e) => {
      showMessage(byId("tile-note"), e.message);
      if (why && e.code === "invalid_input") why.focus();
    },
  );
}

async function stamp(s: ListShown, row: DocumentRow): Promise<void> {
  await act(
    s,
    backend.stampDocument(s.mrn, row.id),
    (now, updated) => {
      now.rows = now.rows.map((r) => (r.id === updated.id ? updated : r));
      render(now);
      showMessage(byId("tile-note"), `${row.file_name}: ${updated.stamp ?? "stamped"}.`);
      hooks.recordChanged();
    },
    (e) => showMessage(byId("tile-note"), e.message),
  );
}

/** `first`: the rows the find already answered for this category (no list request); "Show more"
 * lists the rest when there are more. */
export async function showCategory(patientMrn: string, tile: Tile, canUpload: boolean, first?: FirstRows): Promise<void> {
  const scope = list.open(`${patientMrn}/${tile.category}`);
  setUploadTarget({ mrn: patientMrn, category: tile.category }, canUpload);
  byId("category-title").textContent = `${tile.label} (${tile.count})`;
  const s = startList(scope.key, patientMrn, tile);
  const history = showHistory(scope, patientMrn, tile.category);
  const shown = first?.category === tile.category ? first : undefined;
  const page = shown ? Promise.resolve(shown) : backend.listDocumentsPage(patientMrn, tile.category, null, PAGE_ROWS);
  await fill(s, scope, page, "category");
  await history;
}

/** Re-reads the open category's list (after an upload); on failure the rows on screen stay. */
export async function reloadCategory(): Promise<void> {
  const s = shownList.current;
  if (!s?.tile) return;
  // Same view, newer request: it supersedes a load still in flight. An upload may have
  // replaced a preop image: the history is read again too.
  const scope = list.open(s.scope.key);
  const history = showHistory(scope, s.mrn, s.tile.category);
  // As many rows as were shown, so a reload never takes back rows paged in.
  const shownRows = Math.max(s.rows.length, PAGE_ROWS);
  await fill(s, scope, backend.listDocumentsPage(s.mrn, s.tile.category, null, shownRows), "reload");
  await history;
}

/**
 * The open record changed (a colleague, the processing worker): the list of `patientMrn`'s open
 * category is read again in place. Focus stays on the same row's control (`render`), the
 * selection and the scroll position stay on the same rows, and only new documents are
 * announced. Nothing happens for another patient, a search, or no list.
 */
export async function refreshCategory(patientMrn: string): Promise<void> {
  const s = shownList.current;
  if (!s?.tile || s.mrn !== patientMrn) return;
  const before = new Set(s.rows.map((r) => r.id));
  const place = scrollAnchor();
  await reloadCategory();
  // The same patient and category still on screen (the tile opened again is the same list).
  const now = shownList.current;
  if (list.scope?.key !== s.scope.key || !now) return;
  place();
  const added = now.rows.filter((r) => !before.has(r.id)).length;
  if (added > 0) byId("doc-list-status").textContent = `${added} new document${added === 1 ? "" : "s"}`;
}

/** The list is left (another patient, signed out): its opening ends, and its rows go with it. */
export function hideCategory(): void {
  list.close();
  closeViewer();
  setUploadTarget(null, false);
  listed.close();
  byId("doc-rows").replaceChildren();
  byId("export-status").textContent = "";
  hideHistory();
  show(byId("category-view"), false);
}
