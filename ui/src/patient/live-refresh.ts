// The open record refreshes itself (ARCHITECTURE.md §2, "The open record refreshes itself"):
// while a patient is on screen and the window or tab is visible, the record's version is asked
// for every few seconds (one conditional S3 read on the server, not audited). A new version
// hands over to `changed`, which reads the record again through the normal, audited routes.
// The poll lives in the patient's scope: another patient, or closing the record, ends it and
// drops late answers. Errors (offline, server away) say nothing on screen: the poll backs off
// and resumes.
import { backend } from "../backend/api";
import type { UiError } from "../backend/types";
import type { Scope } from "../shell/scope";

/** Between polls while visible: a change shows within this plus one request (< 5 s). */
export const POLL_MS = 3000;
/** The longest wait after repeated errors. */
export const MAX_BACKOFF_MS = 60_000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

const visible = () => typeof document === "undefined" || document.visibilityState !== "hidden";

/**
 * Polls the version of `mrn`'s record for as long as `scope` (the patient on screen) lives.
 * The first answer is the version shown; each later new one calls `changed` (awaited: no poll
 * overlaps a refresh). `unauthenticated` stops the poll: the session's own handling takes over.
 */
export async function watchRecord(scope: Scope, mrn: string, changed: () => Promise<void>): Promise<void> {
  let seen: string | null = null;
  let wait = POLL_MS;
  let stop = false;
  while (scope.live && !stop) {
    if (!visible()) {
      // Hidden: no requests at all; look again shortly (a tab shown again polls at once).
      await pause(POLL_MS, scope.signal);
      continue;
    }
    await scope.run(
      backend.recordVersion(mrn, seen),
      async (fresh) => {
        wait = POLL_MS;
        if (fresh === null) return;
        const first = seen === null;
        seen = fresh;
        if (!first) await changed();
      },
      (e: UiError) => {
        if (e.code === "unauthenticated") stop = true;
        wait = Math.min(wait * 2, MAX_BACKOFF_MS);
      },
    );
    await pause(wait, scope.signal);
  }
}
