// Uploads from the browser, as server intents: start (the server checks and presigns; starts
// asked for at about the same time go as one request: web-upload-start.ts) → PUT
// the bytes straight to S3 (one presigned PUT, or the parts of a multipart upload, as many at a
// time as the server's start answer says) → complete (the server verifies and attaches). XHR, not fetch, so each PUT reports
// progress and can be aborted; a cancelled upload tells the server, which removes what came.
import { asUiError } from "./contract";
import { prepare, type FilePolicy, type Prepared } from "./web-upload-file";
import { uiErrorFrom } from "./web-http";
import type {
  AbortUpload,
  Category,
  CompleteUploads,
  CompletedPartDto,
  CompletedUploads,
  DocumentRow,
  PresignedRequest,
  StartUpload,
  StartedUpload,
  UiError,
  UploadOutcome,
  UploadProgress,
  UploadTarget,
} from "./types";

/** What the upload needs from the rest of the transport. */
export interface UploadDeps {
  /** A JSON POST about this patient, with the token (and break-glass reason). */
  post(mrn: string, path: string, body: unknown): Promise<Response>;
  /** This upload's start, with the others asked for at about the same time (`StartBatcher`). */
  start(declared: StartUpload): Promise<StartedUpload>;
  /** The row of a document already in the record (a replay has no row in its answer). */
  findRow(mrn: string, category: string, docId: string): Promise<DocumentRow | null>;
  /** The server's client config: limits, types and the upload protocol's numbers. */
  policy(): Promise<FilePolicy>;
}

const CANCELLED: UiError = { code: "cancelled", message: "The upload was cancelled" };

type Running = {
  cancelled: boolean;
  /** Cancelled, or one PUT failed: the other PUTs stop too. */
  stopped: boolean;
  /** The server was told about it: a cancel must ask it to remove what arrived. */
  started: { doc_id: string; mrn: string; category: string } | null;
  /** The complete call went: too late to cancel (the server may be attaching it). */
  completing: boolean;
  requests: Set<XMLHttpRequest>;
};

const running = new Map<string, Running>();
const listeners = new Set<(p: UploadProgress) => void>();

export function onUploadProgress(handler: (p: UploadProgress) => void): void {
  listeners.add(handler);
}

/** Stops the upload's PUTs; false when there is nothing to stop or it is already completing. */
export function cancelUpload(uploadId: string): boolean {
  const upload = running.get(uploadId);
  if (!upload || upload.completing) return false;
  upload.cancelled = true;
  stop(upload);
  return true;
}

function stop(upload: Running): void {
  upload.stopped = true;
  for (const request of upload.requests) request.abort();
}

export async function uploadDocument(
  deps: UploadDeps,
  uploadId: string,
  mrn: string,
  category: string,
  fileName: string,
  file: Blob,
  replaceOldest: boolean,
): Promise<UploadOutcome> {
  const upload: Running = { cancelled: false, stopped: false, started: null, completing: false, requests: new Set() };
  running.set(uploadId, upload);
  const stopIfCancelled = () => {
    if (upload.cancelled) throw CANCELLED;
  };
  try {
    const policy = await deps.policy();
    const prepared = await prepare(fileName, file, policy);
    stopIfCancelled();
    const declared = declaration(crypto.randomUUID(), mrn, category, fileName, prepared, replaceOldest);
    const started = await deps.start(declared);
    upload.started = { doc_id: declared.doc_id, mrn, category };
    stopIfCancelled();
    if (started.already_attached) {
      upload.completing = true; // already in the record: nothing to abort
      return await added(deps, declared, null);
    }
    // The parts were hashed at the client config's part size before the server answered.
    if (started.objects.some((o) => o.multipart) && started.part_size !== policy.upload.part_size) {
      throw { code: "internal", message: "The records server's upload settings changed; reload the page and try again" } satisfies UiError;
    }
    const sending = { parallel: started.parallel_parts, attempts: policy.upload.attempts };
    const sent = await sendObjects(upload, uploadId, started.objects, file, sending);
    stopIfCancelled();
    upload.completing = true;
    const body: CompleteUploads = { uploads: [{ ...declared, multipart_upload_id: sent.multipartUploadId, parts: sent.parts }] };
    const completed = (await (await deps.post(mrn, "/v1/uploads/complete", body)).json()) as CompletedUploads;
    const result = completed.results.find((r) => r.doc_id === declared.doc_id) ?? completed.results[0];
    if (result?.outcome === "attached" || result?.outcome === "already_attached") {
      return await added(deps, declared, result.row);
    }
    if (result?.outcome === "preop_full") {
      throw { ...uiErrorFrom(result.error ?? null), code: "preop_full" } satisfies UiError;
    }
    throw uiErrorFrom(result?.error ?? null);
  } catch (e) {
    const failed = upload.cancelled ? CANCELLED : asUiError(e);
    stop(upload);
    // Nothing half-sent stays behind (an open multipart upload is billed until aborted).
    if (upload.started && !upload.completing) {
      const { doc_id, mrn: at, category: into } = upload.started;
      const abort: AbortUpload = { doc_id, mrn: at, category: into as Category };
      await deps.post(at, "/v1/uploads/abort", abort).catch(() => undefined);
    }
    throw failed;
  } finally {
    running.delete(uploadId);
  }
}

/** The server's StartUpload; sent again unchanged inside the complete call. */
function declaration(docId: string, mrn: string, category: string, fileName: string, p: Prepared, replaceOldest: boolean): StartUpload {
  return {
    doc_id: docId,
    mrn,
    category: category as Category,
    file_name: fileName,
    content_type: p.contentType,
    size: p.size,
    sha256: p.sha256,
    replace_oldest: replaceOldest,
    part_sha256: p.partSha256,
  };
}

async function added(deps: UploadDeps, declared: { doc_id: string; mrn: string; category: string }, row: DocumentRow | null): Promise<UploadOutcome> {
  const found = row ?? (await deps.findRow(declared.mrn, declared.category, declared.doc_id));
  if (!found) throw { code: "internal", message: "The file was added, but its row could not be read; reload the list" } satisfies UiError;
  return { kind: "added", row: found };
}

type Put = { body: Blob; request: PresignedRequest; part?: number };

/** The original's bytes to S3; its multipart upload id and its parts' ETags. */
async function sendObjects(
  upload: Running,
  uploadId: string,
  objects: UploadTarget[],
  file: Blob,
  sending: { parallel: number; attempts: number },
) {
  const puts: Put[] = [];
  let multipartUploadId: string | null = null;
  for (const target of objects) {
    // The original is the one object a client sends (the server makes the previews).
    const bytes = file;
    if (target.put) puts.push({ body: bytes, request: target.put });
    if (target.multipart) {
      const { part_size: size, parts } = target.multipart;
      multipartUploadId = target.multipart.upload_id;
      for (const p of parts) puts.push({ body: bytes.slice((p.number - 1) * size, p.number * size), request: p.request, part: p.number });
    }
  }
  const progress = progressReporter(uploadId, puts.reduce((n, p) => n + p.body.size, 0));
  const parts: CompletedPartDto[] = [];
  let next = 0;
  const worker = async () => {
    while (next < puts.length && !upload.stopped) {
      const put = puts[next++]!;
      const etag = await putWithRetry(upload, put, sending.attempts, (sent) => progress(put, sent));
      if (put.part !== undefined) {
        if (!etag) throw { code: "internal", message: `The records store did not confirm part ${put.part} of the file; try again` } satisfies UiError;
        parts.push({ number: put.part, etag });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(sending.parallel, puts.length)) }, worker));
  parts.sort((a, b) => a.number - b.number);
  return { multipartUploadId, parts };
}

/** Bytes sent across every PUT of one upload, reported once per whole percent. */
function progressReporter(uploadId: string, total: number) {
  const sentBy = new Map<Put, number>();
  let shown = -1;
  return (put: Put, sent: number) => {
    sentBy.set(put, sent);
    const all = [...sentBy.values()].reduce((a, b) => a + b, 0);
    const percent = total ? Math.floor((100 * all) / total) : 100;
    if (percent === shown) return;
    shown = percent;
    for (const listener of listeners) listener({ upload_id: uploadId, sent: all, total });
  };
}

async function putWithRetry(upload: Running, put: Put, attempts: number, onSent: (sent: number) => void): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    if (upload.stopped) throw CANCELLED;
    const answer = await send(upload, put, onSent);
    if (answer.status >= 200 && answer.status < 300) {
      onSent(put.body.size);
      return answer.etag;
    }
    const retryable = answer.status === 0 || answer.status >= 500;
    if (!retryable || attempt >= attempts) {
      throw answer.status === 0
        ? ({ code: "unreachable", message: "Cannot reach the records store. Check the network connection" } satisfies UiError)
        : ({ code: "internal", message: `The records store refused the file (HTTP ${answer.status}); try again` } satisfies UiError);
    }
    onSent(0);
  }
}

/** One presigned PUT. The signature covers its headers; `host` and `content-length` are
 * set by the browser itself (scripts may not). */
function send(upload: Running, put: Put, onSent: (sent: number) => void): Promise<{ status: number; etag: string | null }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    upload.requests.add(xhr);
    const done = () => upload.requests.delete(xhr);
    xhr.open(put.request.method || "PUT", put.request.url);
    for (const { name, value } of put.request.headers) {
      if (!["host", "content-length"].includes(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, etag: xhr.getResponseHeader("ETag") });
    };
    xhr.onerror = () => {
      done();
      resolve({ status: 0, etag: null });
    };
    xhr.onabort = () => {
      done();
      reject(CANCELLED);
    };
    xhr.send(put.body);
  });
}
