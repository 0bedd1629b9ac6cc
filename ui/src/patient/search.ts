// Find a patient by NHS number or MRN, then show the banner and tiles.
// Only the search asked for last may draw: a suggestion click can start a new search while an
// older one is in flight, and suggestion lists can settle out of order, so each runs in its own
// scope (shell/scope) and a stale answer, or error, is dropped silently. The patient on screen
// is a view too: a re-read, pin or unpin answered after another patient was opened says nothing.
import { backend } from "../backend/api";
import type { PatientSummary, SearchChoice, UiError } from "../backend/types";
import { byId, el, show, showMessage } from "../shell/dom";
import { hideCategory, refreshCategory, showCategory, showSearch } from "../documents/category-list";
import { acceptDrops } from "../documents/upload";
import { markOffline, setCopyTime } from "../shell/offline";
import { type Scope, view, viewState } from "../shell/scope";
import { offerAccessHistory, resetAccessHistory } from "./access-history";
import { offerRecordExport, resetRecordExport } from "./record-export";
import { renderBanner } from "./banner";
import { askBreakGlassReason } from "./break-glass";
import { watchRecord } from "./live-refresh";
import { renderTiles } from "./tiles";

export function initPatientSearch(onSessionEnded: () => void): void {
  const form = byId<HTMLFormElement>("search-form");
  const query = byId<HTMLInputElement>("patient-query");
  const submit = byId<HTMLButtonElement>("search-submit");
  const error = byId("search-error");
  const busy = byId("search-busy");
  const record = byId("patient-record");
  const note = byId("tile-note");

  // As staff type: matches among the patients and documents kept on this computer.
  let typing: number | undefined;
  query.addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => void suggest(query.value), 120);
  });
  query.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") byId("search-suggestions").querySelector("button")?.focus();
    if (e.key === "Escape") show(byId("search-suggestions"), false);
  });

  byId("pin-patient").addEventListener("click", () => {
    const shown = onScreen.current;
    if (shown) void (shown.pinned ? unpin(shown) : pin(shown));
  });

  byId("doc-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = byId<HTMLInputElement>("doc-search").value.trim();
    const mrn = patient.scope?.key;
    if (!mrn || !text) return;
    for (const tile of byId("tiles").querySelectorAll("button.tile")) tile.setAttribute("aria-pressed", "false");
    void showSearch(mrn, text);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // A suggestion list still on its way must not pop up over the search.
    window.clearTimeout(typing);
    suggestions.close();
    show(byId("search-suggestions"), false);
    const scope = searches.open(query.value);
    showMessage(error, null);
    query.removeAttribute("aria-invalid");
    submit.disabled = true;
    show(busy, true);
    // A newer search in flight owns the busy state: only this search's own answer gives it back.
    const answered = () => {
      submit.disabled = false;
      show(busy, false);
    };
    const shown = (summary: PatientSummary | null) => {
      answered();
      if (!summary) {
        showMessage(error, "The restricted record was not opened: it needs a reason.");
        query.focus();
        return;
      }
      hideCategory();
      byId<HTMLInputElement>("doc-search").value = "";
      showSummary(summary);
      openFirstScreen(summary);
      // Shown from the offline copy at once: ask the cloud whether anything changed.
      if (summary.synced_at) void revalidate();
      note.textContent = "";
      show(record, true);
    };
    const failed = (err: UiError) => {
      answered();
      if (err.code === "unauthenticated") {
        onSessionEnded();
        return;
      }
      show(record, false);
      showMessage(error, err.message);
      if (err.code === "ambiguous_query" && err.choices?.length) {
        offerReadings(error, err.choices);
        return;
      }
      if (err.code === "invalid_input") query.setAttribute("aria-invalid", "true");
      query.focus();
      query.select();
    };
    await findWithBreakGlass(scope, shown, failed);
  });
}

/**
 * Finds the patient searched for in `scope` (its key is the query); a restricted record asks for
 * a break-glass reason first and is found again with it. `shown(null)` when the user cancels the
 * prompt; nothing at all once a newer search took over.
 */
async function findWithBreakGlass(
  scope: Scope,
  shown: (summary: PatientSummary | null) => void,
  failed: (e: UiError) => void,
): Promise<void> {
  const query = scope.key;
  await scope.run(backend.findPatient(query), shown, async (e) => {
    if (e.code !== "reason_required") return failed(e);
    // The previous patient must not stay on screen behind the prompt for another one.
    show(byId("patient-record"), false);
    await scope.run(
      askBreakGlassReason(),
      async (reason) => {
        if (!reason) return shown(null);
        await scope.run(backend.findPatient(query, reason), shown, failed);
      },
      failed,
    );
  });
}

/**
 * Ten digits that are one patient's NHS number and another's MRN: neither was answered, so staff
 * choose which they meant, and the choice searches again with that reading made explicit. The
 * words and searches are the core's or server's (the NHS number's display form is Rust's rule).
 */
function offerReadings(error: HTMLElement, readings: SearchChoice[]): void {
  const choice = ({ label, query }: SearchChoice): HTMLButtonElement => {
    const button = el("button", { text: label, attrs: { type: "button" } });
    button.addEventListener("click", () => {
      byId<HTMLInputElement>("patient-query").value = query;
      byId<HTMLFormElement>("search-form").requestSubmit();
    });
    return button;
  };
  const choices = el(
    "div",
    { className: "search-choices", attrs: { role: "group", "aria-label": "Which did you mean?" } },
    readings.map(choice),
  );
  error.appendChild(choices);
  choices.querySelector("button")?.focus();
}

/** What the pin button acts on: the opening of the patient on screen, and whether that patient
 * is kept offline (the button offers the other choice). */
type PatientShown = { readonly scope: Scope; pinned: boolean };

function showPinned(shown: PatientShown, now: boolean): void {
  shown.pinned = now;
  byId("pin-patient").textContent = now ? "Stop keeping offline" : "Keep this patient offline";
  byId("pin-state").textContent = now ? "Kept offline on this computer" : "";
}

/** The patient is no longer kept offline whatever the budget (its copies age out as usual). */
async function unpin(shown: PatientShown): Promise<void> {
  const scope = shown.scope;
  const button = byId<HTMLButtonElement>("pin-patient");
  button.disabled = true;
  try {
    await scope.run(
      backend.unpinPatient(scope.key),
      () => {
        showPinned(shown, false);
        byId("pin-status").textContent = "No longer kept offline; copies already here age out as usual";
      },
      (e) => {
        byId("pin-status").textContent = e.message;
      },
    );
  } finally {
    button.disabled = false;
  }
}

/** Downloads every document of the patient on screen for offline use, with a progress bar. */
async function pin(shown: PatientShown): Promise<void> {
  const scope = shown.scope;
  const bar = byId<HTMLProgressElement>("pin-progress");
  const status = byId("pin-status");
  const button = byId<HTMLButtonElement>("pin-patient");
  button.disabled = true;
  show(bar, true);
  bar.removeAttribute("value");
  status.textContent = "Downloading for offline use…";
  const progress = scope.bind((done: number, total: number) => {
    bar.max = Math.max(total, 1);
    bar.value = done;
    status.textContent = `Downloading for offline use… ${done} of ${total}`;
  });
  try {
    await scope.run(
      backend.pinPatient(scope.key, progress),
      (report) => {
        showPinned(shown, true);
        status.textContent = `Kept offline: ${report.documents} document${report.documents === 1 ? "" : "s"}${
          report.skipped ? ` (${report.skipped} flagged by the virus scanner, not kept)` : ""
        }`;
      },
      (e) => {
        status.textContent = e.message;
      },
    );
  } finally {
    show(bar, false);
    button.disabled = false;
  }
}

async function suggest(typed: string): Promise<void> {
  const list = byId("search-suggestions");
  const text = typed.trim();
  const scope = suggestions.open(text);
  // A full NHS number or MRN goes to the search itself.
  const wanted = text.length >= 2 && !/^\d[\d ]{8,}$/.test(text);
  const found = wanted ? backend.searchOffline(text).catch(() => []) : Promise.resolve([]);
  await scope.run(found, (hits) => showSuggestions(list, hits), () => undefined);
}

function showSuggestions(list: HTMLElement, hits: Awaited<ReturnType<typeof backend.searchOffline>>): void {
  list.replaceChildren(
    ...hits.map((hit) => {
      const button = el("button", { text: hit.label, attrs: { type: "button", role: "option" } });
      button.addEventListener("click", () => {
        byId<HTMLInputElement>("patient-query").value = `MRN ${hit.mrn}`;
        byId<HTMLFormElement>("search-form").requestSubmit();
      });
      button.addEventListener("keydown", (e) => {
        const item = button.parentElement;
        if (e.key === "ArrowDown") (item?.nextElementSibling?.querySelector("button") as HTMLElement | null)?.focus();
        if (e.key === "ArrowUp") (item?.previousElementSibling?.querySelector("button") as HTMLElement | null)?.focus();
      });
      // Presentational: the options belong to the listbox itself (ARIA owned elements).
      return el("li", { attrs: { role: "presentation" } }, [button]);
    }),
  );
  show(list, hits.length > 0);
}

function showSummary(summary: PatientSummary): void {
  // Another patient: whatever was still on its way for the previous one is dropped.
  const mrn = summary.banner.mrn;
  let shown = onScreen.current;
  if (shown?.scope.key !== mrn) {
    const scope = patient.open(mrn);
    shown = onScreen.hold(scope, { scope, pinned: summary.pinned });
    byId("pin-status").textContent = "";
    void watchRecord(scope, mrn, () => refreshShown(mrn));
  }
  showPinned(shown, summary.pinned);
  setCopyTime(summary.synced_at);
  renderBanner(byId("patient-banner"), summary.banner);
  offerAccessHistory(mrn, summary.can_view_history);
  offerRecordExport(mrn, summary.can_export_record);
  // Export is for clinicians and records admins (the server refuses anyone else).
  byId("export-bar").hidden = !summary.can_export;
  renderTiles(byId("tiles"), summary.tiles, (tile) => void showCategory(mrn, tile, summary.can_upload));
  for (const button of byId("tiles").querySelectorAll<HTMLElement>("button.tile")) {
    acceptDrops(button, mrn, button.dataset.category ?? "", summary.can_upload);
  }
}

/** The find answered the first blue tile's first rows: that list opens at once, unasked. */
function openFirstScreen(summary: PatientSummary): void {
  const first = summary.first_rows;
  const tile = first && summary.tiles.find((t) => t.category === first.category);
  if (!first || !tile) return;
  // Only the first screen's tile is pressed: a tile left pressed from the patient before is not.
  for (const button of byId("tiles").querySelectorAll<HTMLElement>("button.tile")) {
    button.setAttribute("aria-pressed", String(button.dataset.category === tile.category));
  }
  void showCategory(summary.banner.mrn, tile, summary.can_upload, first);
}

/** The patient on screen, keyed by MRN; what the pin button acts on is the state of that
 * opening, dropped with it. */
const patient = view();
const onScreen = viewState<PatientShown>();
/** The patient search in flight: only the newest may draw the banner and tiles. */
const searches = view();
/** The suggestion list in flight: only the one for what was typed last may show. */
const suggestions = view();

/** Re-reads the open patient's banner and tiles (after a stamp or upload); the category view stays. */
export async function refreshPatient(): Promise<void> {
  await revalidate();
}

/** Conditional re-read: a newer summary replaces the one on screen; offline keeps the copy. */
async function revalidate(): Promise<void> {
  const scope = patient.scope;
  if (!scope) return;
  const answer = backend.revalidatePatient(scope.key);
  // Being offline is news whichever patient is on screen by then.
  answer.catch((e: UiError) => {
    if (e.code === "unreachable" || e.code === "unavailable") markOffline();
  });
  await scope.run(
    answer,
    (fresh) => {
      if (fresh) showSummary(fresh);
      else setCopyTime(null);
    },
    () => undefined,
  );
}

/**
 * Someone changed the record on screen: banner, tiles and the open list are read again (audited
 * as usual). The record's live region is quiet meanwhile: redrawn tiles and rows are not news;
 * the list announces new documents itself.
 */
async function refreshShown(mrn: string): Promise<void> {
  const record = byId("patient-record");
  record.setAttribute("aria-live", "off");
  try {
    await Promise.all([revalidate(), refreshCategory(mrn)]);
  } finally {
    record.setAttribute("aria-live", "polite");
  }
}

export function resetPatientSearch(): void {
  patient.close();
  searches.close();
  suggestions.close();
  show(byId("search-busy"), false);
  byId<HTMLButtonElement>("search-submit").disabled = false;
  show(byId("search-suggestions"), false);
  hideCategory();
  byId<HTMLInputElement>("patient-query").value = "";
  showMessage(byId("search-error"), null);
  show(byId("patient-record"), false);
  byId("patient-banner").replaceChildren();
  byId("tiles").replaceChildren();
  resetAccessHistory();
  resetRecordExport();
}

/** Opens a patient by MRN as a search for it would (a restricted record asks for a reason). */
export function openPatientByMrn(mrn: string): void {
  byId<HTMLInputElement>("patient-query").value = mrn;
  byId<HTMLFormElement>("search-form").requestSubmit();
}

export function focusPatientSearch(): void {
  byId<HTMLInputElement>("patient-query").focus();
}
