// Starts asked for at about the same time go as one request (`POST /v1/uploads/start`, issue 25
// item 1): a dozen files dropped at once used to be a dozen starts, each reaching and reading
// the patient's record again. Whoever finds no start of that patient in flight sends everything
// waiting for them; those who ask meanwhile go together in the next one.
import { MAX_UPLOADS_PER_REQUEST } from "./api-types";
import { uiErrorFrom } from "./web-http";
import type { StartResult, StartUpload, StartUploads, StartedUpload, StartedUploads } from "./types";

/** A JSON POST about this patient, with the token (and break-glass reason). */
export type Post = (mrn: string, path: string, body: unknown) => Promise<Response>;

type Waiting = { declared: StartUpload; resolve: (s: StartedUpload) => void; reject: (e: unknown) => void };

export class StartBatcher {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly sending = new Set<string>();

  constructor(private readonly post: Post) {}

  /** This upload's start, sent with any other waiting for the same patient. */
  start(declared: StartUpload): Promise<StartedUpload> {
    return new Promise((resolve, reject) => {
      const mine = this.waiting.get(declared.mrn) ?? [];
      mine.push({ declared, resolve, reject });
      this.waiting.set(declared.mrn, mine);
      void this.send(declared.mrn);
    });
  }

  private async send(mrn: string): Promise<void> {
    const all = this.waiting.get(mrn);
    if (this.sending.has(mrn) || !all?.length) return;
    const batch = all.splice(0, MAX_UPLOADS_PER_REQUEST);
    this.sending.add(mrn);
    try {
      const body: StartUploads = { uploads: batch.map((w) => w.declared) };
      const answer = (await (await this.post(mrn, "/v1/uploads/start", body)).json()) as StartedUploads;
      batch.forEach((w, i) => settle(w, answer.results?.[i]));
    } catch (e) {
      for (const w of batch) w.reject(e);
    } finally {
      this.sending.delete(mrn);
      if (!all.length) this.waiting.delete(mrn);
      void this.send(mrn);
    }
  }
}

/** One upload's own answer: what to send, or the server's reason it may not go ahead. */
function settle(w: Waiting, result: StartResult | undefined): void {
  if (result?.doc_id === w.declared.doc_id && result.started?.doc_id === w.declared.doc_id) {
    w.resolve(result.started);
  } else {
    w.reject(uiErrorFrom(result?.error ?? null));
  }
}
