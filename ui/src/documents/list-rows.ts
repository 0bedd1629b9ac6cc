// The rows of the category list (category-list.ts), drawn from one opening of the list: its
// patient, rows, selection and thumbnails (ListShown), filtered by name and date. What a row's
// stamp and remove buttons do is the list's (RowActions); a row's handlers act on the opening
// they were drawn for, and do nothing once it has ended (a row left behind sends nothing).
import { backend } from "../backend/api";
import type { DocumentRow, Tile } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import type { Scope } from "../shell/scope";
import { parseUkDate } from "../shell/uk-date";
import { openViewer } from "./viewer";

/** One opening of the list (a tile's category, or a search), from `showCategory` or `showSearch`
 * until the list is left or the next opens; its reloads keep it. */
export interface ListShown {
  readonly mrn: string;
  /** The tile listed; null for a search, whose rows span categories and each name their own. */
  readonly tile: Tile | null;
  /** Ends with the opening: its thumbnails are given back and its handlers do nothing. Its key
   * is what it shows: MRN and category, or MRN and search. */
  readonly scope: Scope;
  rows: DocumentRow[];
  loading: boolean;
  /** More rows follow those shown: "Show more" lists the page after this row. */
  next: string | null;
  readonly selected: Set<string>;
  /** Thumbnail object URLs by document id (revoked when the opening ends). */
  readonly thumbs: Map<string, string>;
}

/** What a row's buttons do, on the rows of `s` (category-list.ts). */
export interface RowActions {
  stamp(s: ListShown, row: DocumentRow): Promise<void>;
  /** `why`: the box the reason for a delete is typed in (null for a detach). */
  remove(s: ListShown, row: DocumentRow, verb: "Detach" | "Delete", why: HTMLInputElement | null): Promise<void>;
}

export function visibleRows(s: ListShown): DocumentRow[] {
  const text = byId<HTMLInputElement>("doc-filter").value.trim().toLowerCase();
  const from = dateLimit("doc-from");
  const to = dateLimit("doc-to");
  return s.rows.filter((r) => {
    const day = r.created.slice(0, 10);
    return (!text || r.file_name.toLowerCase().includes(text)) && (!from || day >= from) && (!to || day <= to);
  });
}

/** Empties the filters and unticks "select all": they are the list's, not one patient's, so a
 * new opening starts with none (a name typed for one patient never hides the next one's rows). */
export function resetFilters(): void {
  for (const id of ["doc-filter", "doc-from", "doc-to"]) byId<HTMLInputElement>(id).value = "";
  for (const id of ["doc-from", "doc-to"]) byId(id).setAttribute("aria-invalid", "false");
  byId<HTMLInputElement>("select-all").checked = false;
}

/** The box's date as `yyyy-mm-dd`; "" for none. A date that cannot be read is marked invalid
 * and filters nothing, so a half-typed date never hides documents. */
function dateLimit(id: string): string {
  const box = byId<HTMLInputElement>(id);
  const parsed = parseUkDate(box.value);
  box.setAttribute("aria-invalid", String(parsed === null));
  return parsed ?? "";
}

/** A thumbnail for image documents (fetched once through the core), else a type badge. */
function preview(s: ListShown, r: DocumentRow): HTMLElement {
  const badge = el("span", { className: "type-icon", text: r.content_type === "application/pdf" ? "PDF" : "IMG" });
  if (!r.has_thumbnail) return badge;
  const img = el("img", { attrs: { alt: "" } });
  const cached = s.thumbs.get(r.id);
  if (cached) {
    img.src = cached;
    return img;
  }
  // In the opening's scope: once it ended, no object URL is made that nothing would give back.
  void s.scope.run(
    backend.documentThumbnail(s.mrn, r.id),
    (bytes) => {
      if (bytes.byteLength === 0) return img.replaceWith(badge);
      const url = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
      s.thumbs.set(r.id, url);
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
function removeButton(s: ListShown, row: DocumentRow, verb: "Detach" | "Delete", act: RowActions): HTMLElement {
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
  // Bound to the opening: a row left from another patient's list neither arms nor sends.
  button.addEventListener(
    "click",
    s.scope.bind(() => {
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
      void act.remove(s, row, verb, why);
    }),
  );
  // Enter in the reason box is the second click.
  why?.addEventListener(
    "keydown",
    s.scope.bind((e: KeyboardEvent) => {
      if (e.key === "Enter") button.click();
    }),
  );
  control.addEventListener("focusout", (e) => {
    if (!control.contains(e.relatedTarget as Node | null)) disarm();
  });
  return control;
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

/** Draws the rows of `s` that pass the filters, with the list's buttons and counts. */
export function drawRows(s: ListShown, act: RowActions): void {
  const shown = visibleRows(s);
  const searching = s.tile === null;
  const hadFocus = focusInList();
  byId("doc-rows").replaceChildren(
    ...shown.map((r, i) => {
      const open = el("button", { text: "Open", attrs: { type: "button", "aria-label": `Open ${r.file_name}` } });
      open.disabled = !r.can_open;
      // Never over another patient's list: a row left behind opens nothing.
      open.addEventListener("click", s.scope.bind(() => openViewer(s.mrn, shown, i)));
      const actions: HTMLElement[] = [open];
      if (r.stamp_action) {
        const stampButton = el("button", {
          text: r.stamp_action,
          className: "stamp-button",
          attrs: { type: "button", "aria-label": `${r.stamp_action}: ${r.file_name}` },
        });
        // Bound like Open: a stale row's stamp sends nothing for a patient no longer on screen.
        stampButton.addEventListener("click", s.scope.bind(() => void act.stamp(s, r)));
        actions.push(stampButton);
      }
      if (r.can_remove) actions.push(removeButton(s, r, "Detach", act), removeButton(s, r, "Delete", act));
      const pick = el("input", { attrs: { type: "checkbox", "aria-label": `Select ${r.file_name}` } });
      pick.checked = s.selected.has(r.id);
      pick.addEventListener(
        "change",
        s.scope.bind(() => {
          if (pick.checked) s.selected.add(r.id);
          else s.selected.delete(r.id);
          updateExportButtons(s);
        }),
      );
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
        el("td", { className: "thumb" }, [preview(s, r)]),
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
  show(byId("doc-empty"), shown.length === 0 && !s.loading);
  show(byId("doc-show-more"), s.next !== null);
  byId<HTMLButtonElement>("doc-show-more").disabled = s.loading;
  // Set only when it changes: a refresh with the same count must not be announced again.
  const words = s.loading ? "" : listedWords(shown.length, s.rows.length);
  const status = byId("doc-list-status");
  if (status.textContent !== words) status.textContent = words;
  updateExportButtons(s);
}

/** What a screen reader hears once a list is drawn or filtered (the table itself is silent). */
export function listedWords(shown: number, all: number): string {
  const noun = (n: number) => `${n} document${n === 1 ? "" : "s"}`;
  if (shown === all) return `${noun(all)} listed`;
  return `${noun(shown)} of ${all} listed (filtered)`;
}

function updateExportButtons(s: ListShown): void {
  byId<HTMLButtonElement>("export-selected").disabled = s.selected.size === 0;
  byId<HTMLButtonElement>("export-all").disabled = visibleRows(s).length === 0;
  byId("export-selected").textContent = s.selected.size ? `Export ${s.selected.size} selected…` : "Export selected…";
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
