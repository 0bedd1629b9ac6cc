// The "Replaced and detached (N)" section under a category's list: documents that left the
// current list (a preop image replaced by a newer one, a detached document, the tombstone of
// a deleted one), collapsed by default, clearly marked, openable (audited like any view)
// except tombstones. Clinicians and records admins only: the core answers null for others.
import { backend } from "../backend/api";
import type { HistoryRow } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import type { Scope } from "../shell/scope";
import { openViewer } from "./viewer";

/**
 * Loads `category`'s history under the list. Shown only when there is something to show, and
 * only while `scope`, the list it belongs to, is still on screen.
 */
export async function showHistory(scope: Scope, mrn: string, category: string): Promise<void> {
  const shown = (rows: HistoryRow[] | null) => {
    if (!rows || rows.length === 0) hideHistory();
    else render(mrn, rows);
  };
  // Offline or refused: the current list still shows; the section waits for the next load.
  await scope.run(backend.documentHistory(mrn, category), shown, () => shown(null));
}

export function hideHistory(): void {
  const box = byId<HTMLDetailsElement>("doc-history");
  box.open = false;
  show(box, false);
  byId("doc-history-rows").replaceChildren();
}

function render(mrn: string, rows: HistoryRow[]): void {
  byId("doc-history-title").textContent = `Replaced and detached (${rows.length})`;
  byId("doc-history-rows").replaceChildren(
    ...rows.map((r) => {
      const name = r.file_name || "Deleted document";
      const added = new Date(r.created).toLocaleDateString("en-GB", { dateStyle: "medium" });
      const parts: HTMLElement[] = [
        el("span", { className: `history-status history-${r.status}`, text: r.label }),
        el("span", { className: "history-name", text: r.status === "deleted" ? name : `${r.category_label} · ${name}` }),
        el("span", { className: "note", text: `added ${added} by ${r.uploaded_by}` }),
      ];
      if (r.can_open) {
        const open = el("button", {
          text: "Open",
          attrs: { type: "button", "aria-label": `Open ${name} (${r.label})` },
        });
        open.addEventListener("click", () => openViewer(mrn, [r], 0));
        parts.push(open);
      }
      return el("li", { attrs: { "data-doc-id": r.id, "data-status": r.status } }, parts);
    }),
  );
  show(byId("doc-history"), true);
}
