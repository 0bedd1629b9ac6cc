// The one way an asynchronous answer reaches the screen: through the scope of the view it was
// asked for. A view (the patient on screen, the document list, the viewer, a history panel)
// opens a scope for what it shows, keyed by what that is (MRN, category, document). Opening the
// next scope, or closing the view, ends the previous one: its signal aborts, its clean-ups run
// (pdf.js documents, object URLs), and every answer or error still on its way is dropped.
//
// Answers are handed over only by `run`, never returned, so there is no check to forget after
// an await: an answer for patient A cannot draw once the view shows patient B. What a view shows
// (the MRN, rows, selection, the document open) is one object per opening (`viewState`), dropped
// with its scope, never a module's variables that outlive the patient.
//
//   const list = view();
//   const scope = list.open(`${mrn}/${category}`);
//   await scope.run(backend.listDocumentsPage(mrn, category, null, PAGE_ROWS), (rows) => draw(rows), (e) => say(e));
import type { UiError } from "../backend/types";

/** What a handler may return: nothing, or the work it goes on to (awaited by `run`). */
type Step = void | Promise<void>;

export interface Scope {
  /** What the scope shows (e.g. MRN and category). */
  readonly key: string;
  /** Aborts when the scope ends: stops work in flight. */
  readonly signal: AbortSignal;
  /** Whether the scope still owns its view. Only for libraries that ask before each step
   * (pdf.js pages); view code uses `run` and `bind`. */
  readonly live: boolean;
  /** Waits for `request`, then hands its answer to `then` or its error to `failed`, only while
   * the scope is live: a stale answer or error is dropped. Resolves once the handler is done. */
  run<T>(request: Promise<T>, then: (answer: T) => Step, failed: (error: UiError) => Step): Promise<void>;
  /** An event handler (image loaded, page drawn) that does nothing once the scope ended. */
  bind<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => void;
  /** Runs `cleanup` when the scope ends (at once if it already has). */
  defer(cleanup: () => void): void;
}

export interface View {
  /** Starts showing `key`: the previous scope ends, even for the same key (a reload). */
  open(key: string): Scope;
  /** The view was closed or emptied: no scope is live until the next `open`. */
  close(): void;
  /** The live scope (null when none). */
  readonly scope: Scope | null;
  /** `run` for an action on what is shown now (a stamp, an export): it does not start a scope,
   * so it supersedes no load, and its reply is handed over only while the view still shows the
   * same key (a reload of the same list keeps it; another patient or category drops it). */
  run<T>(request: Promise<T>, then: (answer: T) => Step, failed: (error: UiError) => Step): Promise<void>;
  /** `run` for an action asked from what showed `key` (a row drawn for a patient's list), which
   * may no longer be on screen: its reply is handed over only while the view shows `key`. */
  runFor<T>(key: string, request: Promise<T>, then: (answer: T) => Step, failed: (error: UiError) => Step): Promise<void>;
}

/** Hands the answer or error of `request` over while `live()` says so; drops it otherwise. */
async function deliver<T>(
  request: Promise<T>,
  live: () => boolean,
  then: (answer: T) => Step,
  failed: (error: UiError) => Step,
): Promise<void> {
  let answer: T;
  try {
    answer = await request;
  } catch (e) {
    if (live()) await failed(e as UiError);
    return;
  }
  if (live()) await then(answer);
}

function scope(key: string): { scope: Scope; end: () => void } {
  const abort = new AbortController();
  const cleanups: (() => void)[] = [];
  const live = () => !abort.signal.aborted;
  const end = () => {
    if (!live()) return;
    abort.abort();
    // Newest first, as resources are usually built on the ones before them.
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  };
  return {
    end,
    scope: {
      key,
      signal: abort.signal,
      get live() {
        return live();
      },
      run: (request, then, failed) => deliver(request, live, then, failed),
      bind(handler) {
        return (...args) => {
          if (live()) handler(...args);
        };
      },
      defer(cleanup) {
        if (live()) cleanups.push(cleanup);
        else cleanup();
      },
    },
  };
}

export function view(): View {
  let active: ReturnType<typeof scope> | null = null;
  const close = () => {
    const ending = active;
    active = null;
    ending?.end();
  };
  return {
    open(key) {
      close();
      active = scope(key);
      return active.scope;
    },
    close,
    get scope() {
      return active?.scope ?? null;
    },
    run(request, then, failed) {
      const key = active?.scope.key;
      // Nothing shown: the answer has nowhere to go (and its failure is not left unhandled).
      if (key === undefined) return deliver(request, () => false, then, failed);
      return deliver(request, () => active?.scope.key === key, then, failed);
    },
    runFor(key, request, then, failed) {
      return deliver(request, () => active?.scope.key === key, then, failed);
    },
  };
}

/**
 * What one opening of a view shows (the patient's MRN, the rows, the selection, the document
 * open), as one object: made when the view opens, dropped when that opening's scope ends (the
 * view closed, or the next opened). Nothing of a closed patient stays behind, and a handler that
 * kept an older one acts on its own patient, never on the one shown since.
 */
export interface ViewState<S> {
  /** The state of the opening on screen (null when none). */
  readonly current: S | null;
  /** `state` is what `scope` shows, until that scope ends. */
  hold(scope: Scope, state: S): S;
}

export function viewState<S>(): ViewState<S> {
  let held: { state: S } | null = null;
  return {
    get current() {
      return held?.state ?? null;
    },
    hold(scope, state) {
      const mine = { state };
      held = mine;
      // Only its own: a newer opening may already hold the view.
      scope.defer(() => {
        if (held === mine) held = null;
      });
      return state;
    },
  };
}
