// The access history of the patient on screen (records admins): who opened or changed the
// record, when, and why for a restricted one. Only the answer for the patient on screen draws.
import { backend } from "../backend/api";
import type { UiError } from "../backend/types";
import { byId, el, show } from "../shell/dom";
import { latest } from "../shell/request-guard";

const requests = latest();
let offeredFor: string | null = null;

/** Shows or hides the button for the patient drawn; a different patient closes the history. */
export function offerAccessHistory(mrn: string, allowed: boolean): void {
  if (offeredFor === mrn) return;
  offeredFor = mrn;
  requests.cancel();
  const button = byId<HTMLButtonElement>("show-access-history");
  show(button, allowed);
  show(byId("access-history"), false);
  button.onclick = () => void showAccessHistory(mrn);
}

async function showAccessHistory(mrn: string): Promise<void> {
  const panel = byId("access-history");
  const status = byId("access-history-status");
  const rows = byId("access-history-rows");
  const ticket = requests.next(mrn);
  show(panel, true);
  rows.replaceChildren();
  status.textContent = "Loading…";
  try {
    const events = await backend.accessHistory(mrn);
    if (!ticket.current()) return;
    status.textContent = events.length === 0 ? "No access recorded yet." : `${events.length} most recent events, newest first; times are UK time (GMT or BST).`;
    rows.replaceChildren(
      ...events.map((e) =>
        el("tr", {}, [
          el("td", { text: e.shown_at + (e.reported_offline ? " (offline)" : "") }),
          el("td", { text: e.actor }),
          el("td", { text: e.detail ? `${e.action} (${e.detail})` : e.action }),
          el("td", { text: e.reason ?? "" }),
        ]),
      ),
    );
  } catch (e) {
    if (!ticket.current()) return;
    status.textContent = (e as UiError).message;
  }
}

export function resetAccessHistory(): void {
  offeredFor = null;
  requests.cancel();
  show(byId("show-access-history"), false);
  show(byId("access-history"), false);
  byId("access-history-rows").replaceChildren();
}
