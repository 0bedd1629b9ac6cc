// Connectivity and the outbox as staff see them: an offline banner (with how old the copy on
// screen is), and the uploads still waiting, each with what can be done about it.
import { backend, platform } from "../backend/api";
import type { OutboxItem, SyncStatus, UiError } from "../backend/types";
import { byId, el, show } from "./dom";

let online = true;
let shownCopyFrom: string | null = null;
let onSent: (docIds: string[]) => void = () => undefined;

/** `sent` is told which queued uploads went up (to refresh the patient and their lines). */
export function initOffline(sent: (docIds: string[]) => void): void {
  onSent = sent;
  void backend.onSyncStatus((s) => void apply(s));
  byId("offline-retry").addEventListener("click", async () => {
    const status = await backend.syncNow().catch(() => null);
    if (status) await apply(status);
  });
}

/** The patient on screen came from the offline copy saved at `syncedAt` (null: live). */
export function setCopyTime(syncedAt: string | null): void {
  shownCopyFrom = syncedAt;
  render();
}

/** A live call failed with "unreachable": show the banner before the next background round. */
export function markOffline(): void {
  // The browser has no offline copy to fall back on: the failed call says why itself.
  if (!platform.offline) return;
  online = false;
  render();
}

async function apply(status: SyncStatus): Promise<void> {
  online = status.online;
  render();
  if (status.sent > 0) onSent(status.sent_doc_ids);
  await showOutbox(status.queued + status.failed > 0);
}

function render(): void {
  const banner = byId("offline-banner");
  const time = shownCopyFrom
    ? new Date(shownCopyFrom).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })
    : null;
  byId("offline-text").textContent = time
    ? `Offline — showing the copy saved on this computer at ${time}. Uploads wait here and go up by themselves.`
    : "Offline — Chartdesk shows what was opened on this computer. Uploads wait here and go up by themselves.";
  show(banner, !online);
}

/** Lists waiting uploads (ward staff and records admins only; others have none). */
export async function showOutbox(any = true): Promise<void> {
  const panel = byId("outbox-panel");
  const items = any ? await backend.outbox().catch(() => [] as OutboxItem[]) : [];
  byId("outbox-list").replaceChildren(...items.map(row));
  byId("outbox-title").textContent = `Waiting to upload (${items.length})`;
  show(panel, items.length > 0);
}

function row(item: OutboxItem): HTMLLIElement {
  const what = `${item.file_name} → MRN ${item.mrn}, ${item.category_label}`;
  const state =
    item.state === "failed"
      ? (item.last_error ?? "Needs your decision")
      : item.attempts > 0
        ? "Queued — waiting for the network"
        : "Queued";
  const li = el("li", { attrs: { "data-doc-id": item.doc_id } }, [
    el("span", { text: what }),
    el("span", { text: state, className: item.state === "failed" ? "refused" : "queued" }),
  ]);
  const act = (label: string, run: () => Promise<unknown>) => {
    const b = el("button", { text: label, attrs: { type: "button", class: "secondary" } });
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await run();
      } catch (e) {
        li.appendChild(el("span", { text: (e as UiError).message, className: "refused" }));
      }
      await showOutbox();
      onSent([]); // refresh only: this line is not an upload of the list
    });
    li.appendChild(b);
  };
  if (item.state === "failed") {
    if (item.last_error_code === "preop_full") {
      act("Replace oldest", () => backend.retryOutboxItem(item.doc_id, true));
    } else {
      act("Try again", () => backend.retryOutboxItem(item.doc_id, false));
    }
    act("Discard", () => backend.discardOutboxItem(item.doc_id));
  }
  return li;
}
