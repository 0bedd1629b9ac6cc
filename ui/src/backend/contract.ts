// What every transport offers the screens: the desktop's Tauri commands and the browser's
// HTTPS calls to the records server implement the same interface, with the same errors.
import type {
  AccessHistoryRows,
  AlertList,
  AppInfo,
  BreakGlassChoice,
  BreakGlassReason,
  CachedHit,
  DocumentRow,
  ExportSummary,
  FirstRows,
  FhirExportSummary,
  HistoryRow,
  OutboxItem,
  PatientSummary,
  PinReport,
  SignInResult,
  SignedInUser,
  SyncStatus,
  UiError,
  UploadOutcome,
  UploadProgress,
} from "./types";

/** Rows one page of a category lists (a category opened, or "Show more"); the rest come a page
 * at a time, newest first, so a document just added is on the first. */
export const PAGE_ROWS = 50;

/** A break-glass reason as the user stated it. */
export interface StatedReason {
  reason: BreakGlassReason;
  detail: string;
}

/** What this platform can do; screens use it only to hide what the browser cannot do. */
export interface Platform {
  kind: "desktop" | "browser";
  /** The encrypted offline copy, the outbox and offline search. */
  offline: boolean;
  /** "Keep this patient offline". */
  pinning: boolean;
  /** Exports go where the user picks in the OS save dialog (else the browser's downloads). */
  saveDialog: boolean;
}

/** Every call rejects with a UiError. */
export interface Backend {
  appInfo(): Promise<AppInfo>;
  signIn(username: string, password: string): Promise<SignInResult>;
  completeNewPassword(newPassword: string, confirm: string): Promise<SignInResult>;
  completeTotp(code: string): Promise<SignInResult>;
  completeMfaSetup(code: string): Promise<SignInResult>;
  signOut(): Promise<void>;
  /** The user signed in last time (the desktop's keychain); always null in the browser. */
  resumeSession(): Promise<SignedInUser | null>;
  lockSession(): Promise<void>;
  unlockSession(password: string): Promise<SignedInUser>;
  /** `reason`: the break-glass reason for a restricted record, once the user gave one. */
  findPatient(query: string, reason?: StatedReason): Promise<PatientSummary>;
  breakGlassReasons(): Promise<BreakGlassChoice[]>;
  /** Who opened or changed the record (records admins), newest first, a page at a time: the
   * newest page, or the one after `after` (the `next` of the page before; null on the last). */
  accessHistory(mrn: string, after?: string): Promise<AccessHistoryRows>;
  /** The newest documents the virus scanner blocked, trust-wide, newest first (records admins). */
  virusAlerts(): Promise<AlertList>;
  /** The patient's whole record as FHIR NDJSON files in a folder the user picks (records
   * admins; the desktop only); `onProgress` with each step; null when the dialog was closed. */
  exportRecordFhir(mrn: string, onProgress: (said: string) => void): Promise<FhirExportSummary | null>;
  /** The patient's newer summary, or null when the copy on screen is current. */
  revalidatePatient(mrn: string): Promise<PatientSummary | null>;
  /** The open record's version (not audited: an open record polls it); null while `seen` is
   * still current. `seen` null asks for the current version. */
  recordVersion(mrn: string, seen: string | null): Promise<string | null>;
  /** Cached patients and documents matching what was typed; works offline. */
  searchOffline(text: string): Promise<CachedHit[]>;
  outbox(): Promise<OutboxItem[]>;
  retryOutboxItem(docId: string, replaceOldest: boolean): Promise<SyncStatus>;
  discardOutboxItem(docId: string): Promise<void>;
  resetOfflineData(): Promise<void>;
  syncNow(): Promise<SyncStatus>;
  /** Downloads the patient for offline use; `onProgress(done, total)` as documents arrive. */
  pinPatient(mrn: string, onProgress: (done: number, total: number) => void): Promise<PinReport>;
  unpinPatient(mrn: string): Promise<void>;
  clearOfflineData(): Promise<void>;
  /** Calls `handler` after every background sync round. */
  onSyncStatus(handler: (s: SyncStatus) => void): Promise<void>;
  /** One page of a category: at most `limit` rows after the row `after` names (the first page
   * with `null`), with `next` when more follow. */
  listDocumentsPage(mrn: string, category: string, after: string | null, limit: number): Promise<FirstRows>;
  searchDocuments(mrn: string, text: string): Promise<DocumentRow[]>;
  /** The 320 px JPEG thumbnail's bytes; empty when the document has none. */
  documentThumbnail(mrn: string, docId: string): Promise<ArrayBuffer>;
  /** Writes one ZIP (desktop: where the save dialog says; browser: a download); null when
   * the user closed the dialog. */
  exportDocuments(mrn: string, docIds: string[], categories: string[]): Promise<ExportSummary | null>;
  /** The file's bytes, checked against the SHA-256 on record; `optimized`: an image's 1600 px
   * JPEG (made by the server) instead of the original, of `page` (from 1) where a TIFF scan has
   * several. */
  openDocument(mrn: string, docId: string, optimized?: boolean, page?: number): Promise<ArrayBuffer>;
  stampDocument(mrn: string, docId: string): Promise<DocumentRow>;
  detachDocument(mrn: string, docId: string): Promise<void>;
  /** `reason`: why, kept on the document's tombstone in the category's history. */
  deleteDocument(mrn: string, docId: string, reason: string): Promise<void>;
  /** The category's replaced, detached and deleted documents, most recently changed first;
   * null for a user whose role does not see them (ward staff). */
  documentHistory(mrn: string, category: string): Promise<HistoryRow[] | null>;
  /** Adds `file` to the category; `uploadId` names it in progress events and for
   * `cancelUpload`. */
  uploadDocument(
    uploadId: string,
    mrn: string,
    category: string,
    fileName: string,
    file: Blob,
    replaceOldest: boolean,
  ): Promise<UploadOutcome>;
  /** False when there is nothing (any more) to cancel. */
  cancelUpload(uploadId: string): Promise<boolean>;
  /** Calls `handler` for every upload's progress; resolves once listening. */
  onUploadProgress(handler: (p: UploadProgress) => void): Promise<void>;
}

export function asUiError(e: unknown): UiError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    return e as UiError;
  }
  return { code: "internal", message: String(e) };
}
