// Patients and their documents over the records server's `/v1` API. The server checks roles
// and break-glass, audits, and hands out short-lived S3 URLs; the bytes are fetched from S3
// and checked here against the SHA-256 on record. What this module remembers (break-glass
// reasons, record versions, thumbnail links) is in memory only and forgotten at sign-out.
import type { StatedReason } from "./contract";
import { UNREACHABLE, jsonBody, seg, sha256Hex } from "./web-http";
import { withToken } from "./web-session";
import { BREAK_GLASS_DETAIL_HEADER, BREAK_GLASS_REASON_HEADER } from "./api-types";
import type {
  AccessHistoryRows,
  AlertList,
  AuditHistory,
  Category,
  DeleteDocument,
  DocumentAccess,
  DocumentHistory,
  DocumentList,
  DocumentRow,
  ExportArchive,
  ExportRequest,
  ExportSummary,
  FirstRows,
  FoundPatient,
  HistoryRow,
  ListedDocument,
  PatientSummary,
  RecordVersion,
  UiError,
} from "./types";

/** The reason the user gave per MRN: sent with every later request about that patient. */
const reasons = new Map<string, StatedReason>();
/** The record version each find gave, for `If-None-Match` revalidation. */
const versions = new Map<string, string>();
/** Thumbnails the last lists gave, by MRN and document: inline bytes (base64) or a link. */
const thumbnails = new Map<string, { inline?: string; url?: string }>();

export function forgetRecords(): void {
  reasons.clear();
  versions.clear();
  thumbnails.clear();
}

function reasonHeaders(reason: StatedReason | undefined): Record<string, string> {
  // Header values are ASCII: the user's own words travel percent-encoded.
  return reason
    ? { [BREAK_GLASS_REASON_HEADER]: reason.reason, [BREAK_GLASS_DETAIL_HEADER]: encodeURIComponent(reason.detail) }
    : {};
}

/** A request about one patient: with their break-glass reason when one was given. */
export function aboutPatient(mrn: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...Object.fromEntries(new Headers(init.headers).entries()), ...reasonHeaders(reasons.get(mrn)) };
  return withToken(path, { ...init, headers });
}

const patientPath = (mrn: string, tail = "") => `/v1/patients/${seg(mrn)}${tail}`;
const documentPath = (mrn: string, docId: string, tail = "") => patientPath(mrn, `/documents/${seg(docId)}${tail}`);

/** The screen's summary only: the record and manifest (for the desktop's offline copy) are
 * not kept. The browser has no offline copy: never pinned, always live. The first screen's
 * rows are the window's to draw at once (their thumbnails kept as a list's are). */
function summaryOf(found: FoundPatient): PatientSummary {
  const { banner, tiles, can_upload, can_view_history, can_export, can_export_record, first_screen } = found;
  const summary: PatientSummary = { banner, tiles, can_upload, can_view_history, can_export, can_export_record, pinned: false, synced_at: null };
  if (!first_screen) return summary;
  const { category, rows, next } = first_screen;
  return { ...summary, first_rows: { category, rows: keepThumbnails(banner.mrn, rows), next } };
}

export async function findPatient(query: string, reason?: StatedReason): Promise<PatientSummary> {
  // The browser keeps no offline copy: the record and manifest stay on the server.
  const answer = await withToken(`/v1/patients?q=${encodeURIComponent(query)}&record=false`, { headers: reasonHeaders(reason) });
  const found = (await answer.json()) as FoundPatient;
  const mrn = found.banner.mrn;
  if (reason) reasons.set(mrn, reason);
  versions.set(mrn, found.version);
  return summaryOf(found);
}

/** A find by MRN with the version shown: null (304) while nothing changed. */
export async function revalidatePatient(mrn: string): Promise<PatientSummary | null> {
  const version = versions.get(mrn);
  const answer = await aboutPatient(mrn, `/v1/patients?q=${encodeURIComponent(`MRN ${mrn}`)}&record=false`, {
    headers: version ? { "if-none-match": version } : {},
  });
  if (answer.status === 304) return null;
  const found = (await answer.json()) as FoundPatient;
  versions.set(mrn, found.version);
  return summaryOf(found);
}

/** The record's version alone (not audited): null (304) while `seen` is still current. */
export async function recordVersion(mrn: string, seen: string | null): Promise<string | null> {
  const answer = await aboutPatient(mrn, patientPath(mrn, "/version"), {
    headers: seen ? { "if-none-match": seen } : {},
  });
  if (answer.status === 304) return null;
  return ((await answer.json()) as RecordVersion).version;
}

async function listed(mrn: string, query: string): Promise<DocumentRow[]> {
  const answer = await aboutPatient(mrn, patientPath(mrn, `/documents?${query}`));
  const { rows } = (await answer.json()) as DocumentList;
  return keepThumbnails(mrn, rows);
}

function keepThumbnails(mrn: string, rows: ListedDocument[]): DocumentRow[] {
  return rows.map(({ thumbnail_url, thumbnail, ...row }) => {
    const key = `${mrn}/${row.id}`;
    if (thumbnail || thumbnail_url) thumbnails.set(key, { inline: thumbnail ?? undefined, url: thumbnail_url ?? undefined });
    else thumbnails.delete(key);
    return row;
  });
}

export const searchDocuments = (mrn: string, text: string) => listed(mrn, `search=${encodeURIComponent(text)}`);

/** One page of a category (`after`: the `next` of the page before). */
export async function listDocumentsPage(mrn: string, category: string, after: string | null, limit: number): Promise<FirstRows> {
  const cursor = after === null ? "" : `&after=${encodeURIComponent(after)}`;
  const query = `category=${encodeURIComponent(category)}&limit=${limit}${cursor}`;
  const answer = await aboutPatient(mrn, patientPath(mrn, `/documents?${query}`));
  const page = (await answer.json()) as DocumentList;
  const rows = keepThumbnails(mrn, page.rows);
  return { category: category as Category, rows, ...(page.next ? { next: page.next } : {}) };
}

/** The inline thumbnail if the list had it, else fetched from its link; empty when none. */
export async function documentThumbnail(mrn: string, docId: string): Promise<ArrayBuffer> {
  const known = thumbnails.get(`${mrn}/${docId}`);
  if (known?.inline) return Uint8Array.from(atob(known.inline), (c) => c.charCodeAt(0)).buffer;
  if (!known?.url) return new ArrayBuffer(0);
  return fromStore(known.url);
}

/** A presigned GET to S3 (another origin: no token, no cookies). */
async function fromStore(url: string): Promise<ArrayBuffer> {
  let answer: Response;
  try {
    answer = await fetch(url, { credentials: "omit" });
  } catch {
    throw UNREACHABLE;
  }
  if (!answer.ok) {
    throw { code: "internal", message: `The file could not be read from the records store (HTTP ${answer.status})` } satisfies UiError;
  }
  return answer.arrayBuffer();
}

/** The file's bytes (or an image's optimized JPEG), shown only if they hash to the SHA-256 the
 * server gives: the one on record for the original. */
export async function openDocument(mrn: string, docId: string, optimized = false, page = 1): Promise<ArrayBuffer> {
  const view = optimized ? `?view=optimized${page > 1 ? `&page=${page}` : ""}` : "";
  const path = documentPath(mrn, docId, view);
  const access = (await (await aboutPatient(mrn, path)).json()) as DocumentAccess;
  const bytes = await fromStore(access.url);
  if ((await sha256Hex(bytes)) !== access.sha256.toLowerCase()) {
    throw { code: "internal", message: "The file failed its integrity check and was not shown" } satisfies UiError;
  }
  return bytes;
}

export async function stampDocument(mrn: string, docId: string): Promise<DocumentRow> {
  const answer = await aboutPatient(mrn, documentPath(mrn, docId, "/stamp"), { method: "POST" });
  return (await answer.json()) as DocumentRow;
}

export async function detachDocument(mrn: string, docId: string): Promise<void> {
  await aboutPatient(mrn, documentPath(mrn, docId, "/detach"), { method: "POST" });
}

/** `reason` stays on the document's tombstone in the category's history. */
export async function deleteDocument(mrn: string, docId: string, reason: string): Promise<void> {
  await aboutPatient(mrn, documentPath(mrn, docId), jsonBody({ reason } satisfies DeleteDocument, { method: "DELETE" }));
}

/** The category's replaced, detached and deleted documents; null for a role that does not
 * see them (the server refuses ward staff). */
export async function documentHistory(mrn: string, category: string): Promise<HistoryRow[] | null> {
  try {
    const answer = await aboutPatient(mrn, patientPath(mrn, `/document-history?category=${encodeURIComponent(category)}`));
    return ((await answer.json()) as DocumentHistory).rows;
  } catch (e) {
    if ((e as UiError).code === "forbidden") return null;
    throw e;
  }
}

/** The newest page of the history, or the one after `after` (the `next` of the page before). */
export async function accessHistory(mrn: string, after?: string): Promise<AccessHistoryRows> {
  const query = after === undefined ? "" : `?after=${encodeURIComponent(after)}`;
  const answer = await aboutPatient(mrn, patientPath(mrn, `/audit${query}`));
  const page = (await answer.json()) as AuditHistory;
  return { rows: page.rows ?? [], next: page.next ?? null };
}

/** The newest documents the virus scanner blocked, trust-wide (records admins). */
export async function virusAlerts(): Promise<AlertList> {
  return (await (await withToken("/v1/alerts")).json()) as AlertList;
}

/** How long the hidden frame that fetched an export stays: the download is the browser's by then. */
export const EXPORT_FRAME_MS = 60_000;

/**
 * The server writes the ZIP to the bucket and answers a short-lived link. A hidden frame
 * follows it, so the browser saves the download (S3 names it `chartdesk-export-MRN.zip`)
 * without the page ever holding the ZIP, and an error from the bucket cannot replace the app.
 */
export async function exportDocuments(mrn: string, docIds: string[], categories: string[]): Promise<ExportSummary> {
  const answer = await aboutPatient(mrn, patientPath(mrn, "/export/archive"), jsonBody({ doc_ids: docIds, categories: categories as Category[] } satisfies ExportRequest));
  const archive = (await answer.json()) as ExportArchive;
  if (!/^https?:\/\//.test(archive.url)) {
    throw { code: "internal", message: "The server's export link was not valid; try again" } satisfies UiError;
  }
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.title = "Export download";
  frame.src = archive.url;
  document.body.appendChild(frame);
  setTimeout(() => frame.remove(), EXPORT_FRAME_MS);
  return { files: archive.files, bytes: archive.bytes, path: archive.file_name };
}
