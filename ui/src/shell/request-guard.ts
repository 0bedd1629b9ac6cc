// One rule for every asynchronous render: only the newest request for a view may touch it.
// A view (the document list, the viewer) owns one guard; each load takes a ticket, and after
// every await checks `ticket.current()`, dropping the answer, or the error, when it is stale:
//
//   const guard = latest();
//   const ticket = guard.next(`${mrn}/${category}`);
//   const rows = await backend.listDocuments(mrn, category);
//   if (!ticket.current()) return;

export interface Ticket {
  /** What the request is for (e.g. MRN and category): the view it may draw. */
  readonly key: string;
  /** Aborted when a newer request starts or the view is cleared: stops work in flight. */
  readonly signal: AbortSignal;
  /** Whether this is still the newest request and the view was not cleared since. */
  current(): boolean;
}

export interface Latest {
  /** Starts a request for `key`; every earlier ticket stops being current. */
  next(key: string): Ticket;
  /** The view was closed or emptied: no ticket is current until the next `next`. */
  cancel(): void;
  /** The key of the current ticket (null when none). For actions such as a stamp that
   * must not supersede a load but must not land on another patient either. */
  readonly key: string | null;
}

export function latest(): Latest {
  let active: { key: string; abort: AbortController } | null = null;
  const retire = () => {
    active?.abort.abort();
    active = null;
  };
  return {
    next(key) {
      retire();
      const abort = new AbortController();
      active = { key, abort };
      return { key, signal: abort.signal, current: () => !abort.signal.aborted };
    },
    cancel: retire,
    get key() {
      return active?.key ?? null;
    },
  };
}
