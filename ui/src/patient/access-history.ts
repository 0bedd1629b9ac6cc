// The access history of the patient on screen (records admins): who opened or changed the
// record, when, and why for a restricted one. The server pages it, newest first; "Show older
// events" appends the next page. Each page is asked for in the panel's scope (shell/scope), so
// only an answer for the patient on screen, and for the newest request, draws.
import { backend } from "../backend/api";
import type { AccessEvent } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import { view } from "../shell/scope";

const panel = view();
/** The patient the button is offered for: nothing is asked for it, so no view. */
const offered = { mrn: null as string | null };

/** Shows or hides the button for the patient drawn; a different patient closes the history. */
export function offerAccessHistory(mrn: string, allowed: boolean): void {
  if (offered.mrn === mrn) return;
  offered.mrn = mrn;
  panel.close();
  const button = byId<HTMLButtonElement>("show-access-history");
  show(button, allowed);
  closePanel();
  button.onclick = () => void showAccessHistory(mrn);
}

async function showAccessHistory(mrn: string): Promise<void> {
  const status = byId("access-history-status");
  const scope = panel.open(mrn);
  show(byId("access-history"), true);
  byId("access-history-rows").replaceChildren();
  show(byId("access-history-older"), false);
  status.textContent = "Loading…";
  await scope.run(
    backend.accessHistory(mrn),
    (page) => {
      byId("access-history-rows").append(...page.rows.map(row));
      pageShown(mrn, page.next);
    },
    (e) => {
      status.textContent = e.message;
    },
  );
}

/** Appends the page after `after`; focus goes to the first older event, so reading and
 * tabbing go on from there (to the button again while more remain). */
async function showOlder(mrn: string, after: string): Promise<void> {
  const status = byId("access-history-status");
  const older = byId<HTMLButtonElement>("access-history-older");
  const scope = panel.open(mrn);
  older.disabled = true;
  status.textContent = "Loading older events…";
  await scope.run(backend.accessHistory(mrn, after), (page) => {
    const added = page.rows.map(row);
    byId("access-history-rows").append(...added);
    older.disabled = false;
    pageShown(mrn, page.next);
    const first = added[0];
    if (first) {
      first.tabIndex = -1;
      first.focus();
    } else if (older.hidden) {
      // The last page was empty: the button that had focus is gone; the count says so.
      status.tabIndex = -1;
      status.focus();
    }
  }, (e) => {
    older.disabled = false;
    status.textContent = e.message;
  });
}

/** The count of what is shown, and the button for older events while the server has more. */
function pageShown(mrn: string, next: string | null): void {
  const shown = byId("access-history-rows").childElementCount;
  const older = byId<HTMLButtonElement>("access-history-older");
  byId("access-history-status").textContent =
    shown === 0
      ? "No access recorded yet."
      : `${shown} ${shown === 1 ? "event" : "events"} shown, newest first (reads reported later from an offline copy follow the rest); times are UK time (GMT or BST).`;
  show(older, next !== null);
  older.onclick = next === null ? null : () => void showOlder(mrn, next);
}

function row(e: AccessEvent): HTMLTableRowElement {
  return el("tr", {}, [
    el("td", { text: e.shown_at + (e.reported_offline ? " (offline)" : "") }),
    el("td", { text: e.actor }),
    el("td", { text: e.detail ? `${e.action} (${e.detail})` : e.action }),
    el("td", { text: e.reason ?? "" }),
  ]);
}

/** Hides the panel and forgets what it showed (another patient's events never stay behind). */
function closePanel(): void {
  show(byId("access-history"), false);
  byId("access-history-rows").replaceChildren();
  const older = byId<HTMLButtonElement>("access-history-older");
  show(older, false);
  older.onclick = null;
}

export function resetAccessHistory(): void {
  offered.mrn = null;
  panel.close();
  show(byId("show-access-history"), false);
  closePanel();
}
