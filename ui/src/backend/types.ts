// Generated from the Rust core by `UPDATE_TS_TYPES=1 cargo test ts_bindings`. Do not edit.

import type { Category, Role, Gender, ScanStatus, SearchChoice, BreakGlassReason, BreakGlassChoice, SignedInUser, SignInResult, PatientBanner, Tile, FirstRows, PatientSummary, DocumentRow, HistoryStatus, HistoryRow, AuditAction, AuditEvent, AccessEvent, ApiErrorCode, ErrorBody, AcceptedFileType, UploadProtocol, ClientConfig, SignInRequest, ChallengeToken, NewPasswordAnswer, CodeAnswer, RefreshRequest, SignOutRequest, IssuedTokens, SessionAnswer, Health, FoundPatient, RecordVersion, ListedDocument, DocumentList, FirstScreen, DocumentHistory, DeleteDocument, DocumentView, DocumentAccess, ExportRequest, ExportedDocuments, ExportArchive, PatientRegistration, ImportOutcome, RegisteredPatient, ImportRow, ImportReport, AuditHistory, OfflineAction, OfflineView, OfflineViews, OfflineViewsAccepted, Alert, AlertList, StartUpload, ObjectRole, RequestHeader, PresignedRequest, PresignedPart, MultipartTarget, UploadTarget, StartedUpload, StartUploads, StartResult, StartedUploads, CompletedPartDto, CompleteUpload, CompleteUploads, UploadOutcomeKind, CompleteResult, CompletedUploads, AbortUpload } from "./api-types";
export type { Category, Role, Gender, ScanStatus, SearchChoice, BreakGlassReason, BreakGlassChoice, SignedInUser, SignInResult, PatientBanner, Tile, FirstRows, PatientSummary, DocumentRow, HistoryStatus, HistoryRow, AuditAction, AuditEvent, AccessEvent, ApiErrorCode, ErrorBody, AcceptedFileType, UploadProtocol, ClientConfig, SignInRequest, ChallengeToken, NewPasswordAnswer, CodeAnswer, RefreshRequest, SignOutRequest, IssuedTokens, SessionAnswer, Health, FoundPatient, RecordVersion, ListedDocument, DocumentList, FirstScreen, DocumentHistory, DeleteDocument, DocumentView, DocumentAccess, ExportRequest, ExportedDocuments, ExportArchive, PatientRegistration, ImportOutcome, RegisteredPatient, ImportRow, ImportReport, AuditHistory, OfflineAction, OfflineView, OfflineViews, OfflineViewsAccepted, Alert, AlertList, StartUpload, ObjectRole, RequestHeader, PresignedRequest, PresignedPart, MultipartTarget, UploadTarget, StartedUpload, StartUploads, StartResult, StartedUploads, CompletedPartDto, CompleteUpload, CompleteUploads, UploadOutcomeKind, CompleteResult, CompletedUploads, AbortUpload };

export type UploadProgress = { upload_id: string, sent: number, total: number, };

export type ExportSummary = { files: number, bytes: number, path: string, };

export type OutboxState = "queued" | "failed";

export type OutboxItem = { doc_id: string, mrn: string, category: string, 
/**
 * The category as staff read it ("OT notes"), from the one label the tiles use.
 */
category_label: string, file_name: string, size: number, queued_at: string, state: OutboxState, attempts: number, last_error: string | null, 
/**
 * The `UiError` code of the last failure (e.g. `preop_full`: offer "Replace oldest").
 */
last_error_code: ApiErrorCode | null, };

export type CachedHit = { mrn: string, 
/**
 * Empty for the patient's own row.
 */
doc_id: string, label: string, };

export type DrainedItem = { doc_id: string, file_name: string, 
/**
 * "sent", "failed" or "left".
 */
outcome: string, message: string | null, };

export type DrainReport = { sent: number, 
/**
 * Refused for a reason only the user can settle (e.g. preop full).
 */
failed: number, 
/**
 * Still queued, for a later try: the cloud could not be reached, or the record stayed busy.
 */
left: number, 
/**
 * Each item this pass tried, with its outcome.
 */
items: Array<DrainedItem>, };

export type UploadOutcome = { "kind": "added", row: DocumentRow, } | { "kind": "queued", doc_id: string, message: string, };

export type SyncStatus = { online: boolean, 
/**
 * Uploads waiting for the network.
 */
queued: number, 
/**
 * Uploads waiting for the user's decision.
 */
failed: number, 
/**
 * Uploads this round sent.
 */
sent: number, 
/**
 * Their doc ids, so the window can say "Added" where it said "Queued".
 */
sent_doc_ids: Array<string>, 
/**
 * RFC 3339 time of this round.
 */
checked_at: string, };

export type PinReport = { documents: number, 
/**
 * Documents that could not be kept (e.g. flagged by the virus scanner).
 */
skipped: number, };

export type UiError = { code: ApiErrorCode, message: string, 
/**
 * `ambiguous_query` only: the readings to offer, as the domain words them.
 */
choices?: Array<SearchChoice>, };

export type AppInfo = { profile: string, 
/**
 * True for the local cloud: the status bar says the data is demo data.
 */
sandbox: boolean, version: string, 
/**
 * Idle time after which the window locks.
 */
idle_lock_seconds: number, 
/**
 * Why the app cannot work (e.g. no such profile), shown instead of the sign-in form.
 */
startup_error: UiError | null, };

export type AccessHistoryRows = { rows: Array<AccessEvent>, 
/**
 * Older events remain: send this back as `after` for the next page.
 */
next: string | null, };

export type FhirExportFile = { 
/**
 * `Patient`, `DocumentReference`, or `OperationOutcome` for records that could not be exported.
 */
resource_type: string, path: string, count: number, };

export type FhirExportSummary = { transaction_time: string, files: Array<FhirExportFile>, };
