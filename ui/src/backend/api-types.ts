// Generated from crates/shared/chartdesk-api by `UPDATE_TS_TYPES=1 cargo test ts_bindings`. Do not edit.

export const BREAK_GLASS_REASON_HEADER = "x-chartdesk-break-glass-reason";

export const BREAK_GLASS_DETAIL_HEADER = "x-chartdesk-break-glass-detail";

/** The most uploads one start or complete request takes. */
export const MAX_UPLOADS_PER_REQUEST = 100;

export type Category = "preop" | "lab" | "radiology" | "intraop" | "ot_notes" | "postop" | "discharge";

export type Role = "clinician" | "ward_staff" | "records_admin";

export type Gender = "female" | "male" | "other" | "unknown";

export type ScanStatus = "pending" | "clean" | "infected";

export type SearchChoice = { label: string, query: string, };

export type BreakGlassReason = "direct_care" | "clinical_emergency" | "safeguarding" | "other";

export type BreakGlassChoice = { reason: BreakGlassReason, label: string, };

export type SignedInUser = { username: string, roles: Array<Role>, 
/**
 * The roles as staff read them, e.g. "Clinician" ("No group" when none).
 */
roles_label: string, 
/**
 * Locked after idle time: show the lock screen, not the records.
 */
locked: boolean, };

export type SignInResult = { "kind": "signed_in", user: SignedInUser, } | { "kind": "new_password_required", username: string, rules: Array<string>, } | { "kind": "totp_required", username: string, } | { "kind": "mfa_setup_required", username: string, secret: string, qr_svg: string, };

export type PatientBanner = { mrn: string, 
/**
 * `943 476 5919` form.
 */
nhs_number: string, 
/**
 * `FAMILY, Given`, the NHS banner convention.
 */
display_name: string, 
/**
 * ISO date.
 */
birth_date: string, 
/**
 * Whole years today (the NHS banner shows the age beside the date of birth).
 */
age_years: number, 
/**
 * `Female`, `Male`, `Other` or `Not known`.
 */
gender: string, postcode: string, restricted: boolean, superseded: boolean, };

export type Tile = { category: Category, label: string, count: number, 
/**
 * Blue when true, grey when false: the rule lives here, not in the UI.
 */
has_documents: boolean, 
/**
 * What a screen reader announces, e.g. "Lab, 3 documents, 1 of 3 verified".
 */
accessible_name: string, 
/**
 * For lab and radiology: e.g. "2 of 3 verified".
 */
stamp_summary: string | null, };

export type FirstRows = { category: Category, rows: Array<DocumentRow>, 
/**
 * The category has more rows than these.
 */
next?: string, };

export type PatientSummary = { banner: PatientBanner, tiles: Array<Tile>, 
/**
 * Whether this user may add documents (the UI shows the upload controls).
 */
can_upload: boolean, 
/**
 * Whether this user may see who accessed the record (records admins).
 */
can_view_history: boolean, 
/**
 * Whether this user may export documents (clinicians and records admins).
 */
can_export: boolean, 
/**
 * Whether this user may export the whole record for another system (FHIR bulk export:
 * records admins).
 */
can_export_record: boolean, 
/**
 * Whether this desktop keeps the patient offline whatever the budget (never sent by the
 * server: it is this computer's choice).
 */
pinned: boolean, 
/**
 * Set when this is the offline copy (RFC 3339 time it was last confirmed current).
 */
synced_at: string | null, 
/**
 * The first blue tile's first rows as the find answered them, so the window draws that
 * list without asking for it (the client fills it; the server sends `first_screen`).
 */
first_rows?: FirstRows, };

export type DocumentRow = { id: string, category: Category, 
/**
 * "OT notes", as the tiles say it.
 */
category_label: string, file_name: string, content_type: string, size: number, 
/**
 * RFC 3339.
 */
created: string, uploaded_by: string, 
/**
 * e.g. "verified by dr.okafor", when stamped.
 */
stamp: string | null, scan_status: ScanStatus, 
/**
 * False when the scanner flagged the file: it is listed but cannot be opened.
 */
can_open: boolean, 
/**
 * The stamp button's words ("Verify", "Mark reviewed") when this user may stamp it now.
 */
stamp_action: string | null, 
/**
 * Whether this user may detach or delete it (records admins).
 */
can_remove: boolean, 
/**
 * Whether a 320 px thumbnail exists (images); otherwise the list shows a type icon.
 */
has_thumbnail: boolean, 
/**
 * Whether a 1600 px JPEG rendition exists (images): the viewer opens it first, quick to
 * fetch and shown by every web view (a TIFF scan too), with *View original* beside it.
 */
has_optimized: boolean, 
/**
 * Why it is not ready or cannot be opened ("Checking for viruses…", "Processing failed: …").
 */
status_note?: string, 
/**
 * "Same file as lab-report-2.pdf, added 03-Dec-2026": flagged, never removed.
 */
duplicate_note?: string, 
/**
 * Pages in the document once the server counted them (a TIFF's pages each have a preview).
 */
pages?: number, 
/**
 * For a search: where the words were found ("Found in the file name", "Found on page 3").
 */
found_in?: string, };

export type HistoryStatus = "replaced" | "detached" | "deleted";

export type HistoryRow = { status: HistoryStatus, 
/**
 * What the row says: "Replaced 04-Dec-2026", "Detached by admin.byrne on 05-Dec-2026",
 * "Deleted by admin.byrne on 05-Dec-2026: Filed to the wrong patient".
 */
label: string, id: string, category: Category, 
/**
 * "OT notes", as the tiles say it.
 */
category_label: string, file_name: string, content_type: string, size: number, 
/**
 * RFC 3339.
 */
created: string, uploaded_by: string, 
/**
 * e.g. "verified by dr.okafor", when stamped.
 */
stamp: string | null, scan_status: ScanStatus, 
/**
 * False when the scanner flagged the file: it is listed but cannot be opened.
 */
can_open: boolean, 
/**
 * The stamp button's words ("Verify", "Mark reviewed") when this user may stamp it now.
 */
stamp_action: string | null, 
/**
 * Whether this user may detach or delete it (records admins).
 */
can_remove: boolean, 
/**
 * Whether a 320 px thumbnail exists (images); otherwise the list shows a type icon.
 */
has_thumbnail: boolean, 
/**
 * Whether a 1600 px JPEG rendition exists (images): the viewer opens it first, quick to
 * fetch and shown by every web view (a TIFF scan too), with *View original* beside it.
 */
has_optimized: boolean, 
/**
 * Why it is not ready or cannot be opened ("Checking for viruses…", "Processing failed: …").
 */
status_note?: string, 
/**
 * "Same file as lab-report-2.pdf, added 03-Dec-2026": flagged, never removed.
 */
duplicate_note?: string, 
/**
 * Pages in the document once the server counted them (a TIFF's pages each have a preview).
 */
pages?: number, 
/**
 * For a search: where the words were found ("Found in the file name", "Found on page 3").
 */
found_in?: string, };

export type AuditAction = "find" | "list" | "thumbnails" | "view" | "stamp" | "detach" | "delete" | "upload" | "export" | "break_glass" | "patient_change" | "replace" | "asked_restricted" | "restrict" | "unrestrict" | "patient_unchanged" | "read_history" | "processed" | "virus_found" | "processing_failed" | "subscribe" | "unsubscribe" | "export_record";

export type AuditEvent = { 
/**
 * Made by the server when it recorded the event (UUIDv7).
 */
event_id: string, 
/**
 * When it happened (RFC 3339); for an event a client reports later, when it happened there.
 */
at: string, actor: string, action: AuditAction, mrn: string, doc_id: string | null, 
/**
 * An event about several documents at once (files added to one record in one request):
 * all of them, `doc_id` the first. Empty for an event about one document or none.
 */
doc_ids?: Array<string>, 
/**
 * Break-glass: the reason the user gave.
 */
reason?: string | null, 
/**
 * How many items (rows listed, thumbnails handed out, files exported).
 */
count?: number | null, 
/**
 * Set for views a desktop made offline and reported later: when the server received them.
 */
reported_at?: string | null, 
/**
 * For a view reported later: the id the desktop gave it (a replay is stored once).
 */
client_event_id?: string | null, 
/**
 * A change of a flag: its value before and after (`restricted`, `not restricted`).
 */
before?: string | null, after?: string | null, 
/**
 * A demographics change: the names of the fields changed (never their values).
 */
changed?: Array<string>, };

export type AccessEvent = { 
/**
 * RFC 3339, as recorded.
 */
at: string, 
/**
 * UK local time for the panel, with its zone: `30-Nov-2026 09:15 GMT`, `30-Jun-2026 10:15 BST`.
 */
shown_at: string, actor: string, action: string, doc_id: string | null, 
/**
 * The break-glass reason, for opening a restricted record.
 */
reason: string | null, 
/**
 * A view made from the offline copy and reported later.
 */
reported_offline: boolean, 
/**
 * What changed, in words: `not restricted → restricted`, or the demographics' field names.
 */
detail: string | null, };

export type ApiErrorCode = "unauthenticated" | "wrong_credentials" | "forbidden" | "reason_required" | "invalid_input" | "not_found" | "conflict" | "preop_full" | "ambiguous_query" | "integrity" | "infected" | "scan_pending" | "unavailable" | "internal" | "too_many_attempts" | "locked" | "unreachable" | "cancelled" | "cache_unreadable" | "optimized_not_kept" | "config";

export type ErrorBody = { code: ApiErrorCode, message: string, 
/**
 * `ambiguous_query` only: the readings to offer, in the words and form the UI shows.
 */
choices?: Array<SearchChoice> | null, };

export type AcceptedFileType = { content_type: string, extensions: Array<string>, };

export type UploadProtocol = { multipart_threshold: number, 
/**
 * S3 refuses parts under 5 MiB (all but the last).
 */
part_size: number, parallel_parts: number, attempts: number, };

export type ClientConfig = { version: string, 
/**
 * The local cloud: the status bar says the data is demo data.
 */
sandbox: boolean, 
/**
 * Idle time after which the page or window locks.
 */
idle_lock_seconds: number, break_glass_reasons: Array<BreakGlassChoice>, 
/**
 * The hospital's MRN format, a regular expression (only ASCII letters and digits are
 * ever accepted, whatever it says).
 */
mrn_pattern: string, 
/**
 * The largest file the server accepts, in bytes.
 */
max_upload_bytes: number, 
/**
 * The kinds of file the server accepts (checked by content, not name).
 */
accepted_types: Array<AcceptedFileType>, 
/**
 * How many attached images preop holds at most.
 */
preop_image_limit: number, upload: UploadProtocol, };

export type SignInRequest = { 
/**
 * Not blank (sign-in trims it).
 */
username: string, 
/**
 * Not empty.
 */
password: string, };

export type ChallengeToken = { username: string, session: string, };

export type NewPasswordAnswer = { challenge: ChallengeToken, new_password: string, confirm: string, };

export type CodeAnswer = { challenge: ChallengeToken, code: string, };

export type RefreshRequest = { 
/**
 * Not blank, as sign-in checks.
 */
username: string, 
/**
 * Not blank: the refresh token the sign-in gave.
 */
refresh_token: string, };

export type SignOutRequest = { refresh_token: string, };

export type IssuedTokens = { access_token: string, id_token: string, refresh_token: string | null, expires_in_seconds: number, };

export type SessionAnswer = { result: SignInResult, challenge: ChallengeToken | null, tokens: IssuedTokens | null, };

export type Health = { status: string, version: string, };

export type FoundPatient = { 
/**
 * Left out when the find asked `record=false` (the browser; the desktop's background copy
 * asks for it).
 */
patient?: unknown, manifest?: unknown, 
/**
 * The first blue tile's first screen of rows (thumbnails inline), so the window draws it
 * without a list request; None when every tile is grey.
 */
first_screen?: FirstScreen, 
/**
 * The demographics' digest and the manifest's ETag together: a changed flag or name
 * counts as a change as much as a new document does.
 */
version: string, banner: PatientBanner, tiles: Array<Tile>, 
/**
 * Whether this user may add documents (the UI shows the upload controls).
 */
can_upload: boolean, 
/**
 * Whether this user may see who accessed the record (records admins).
 */
can_view_history: boolean, 
/**
 * Whether this user may export documents (clinicians and records admins).
 */
can_export: boolean, 
/**
 * Whether this user may export the whole record for another system (FHIR bulk export:
 * records admins).
 */
can_export_record: boolean, 
/**
 * Whether this desktop keeps the patient offline whatever the budget (never sent by the
 * server: it is this computer's choice).
 */
pinned: boolean, 
/**
 * Set when this is the offline copy (RFC 3339 time it was last confirmed current).
 */
synced_at: string | null, 
/**
 * The first blue tile's first rows as the find answered them, so the window draws that
 * list without asking for it (the client fills it; the server sends `first_screen`).
 */
first_rows?: FirstRows, };

export type RecordVersion = { version: string, };

export type ListedDocument = { thumbnail_url: string | null, 
/**
 * The thumbnail itself (base64 JPEG) for the first screen of rows, so a list shows its
 * thumbnails without one request each; the rest come from `thumbnail_url`.
 */
thumbnail?: string | null, id: string, category: Category, 
/**
 * "OT notes", as the tiles say it.
 */
category_label: string, file_name: string, content_type: string, size: number, 
/**
 * RFC 3339.
 */
created: string, uploaded_by: string, 
/**
 * e.g. "verified by dr.okafor", when stamped.
 */
stamp: string | null, scan_status: ScanStatus, 
/**
 * False when the scanner flagged the file: it is listed but cannot be opened.
 */
can_open: boolean, 
/**
 * The stamp button's words ("Verify", "Mark reviewed") when this user may stamp it now.
 */
stamp_action: string | null, 
/**
 * Whether this user may detach or delete it (records admins).
 */
can_remove: boolean, 
/**
 * Whether a 320 px thumbnail exists (images); otherwise the list shows a type icon.
 */
has_thumbnail: boolean, 
/**
 * Whether a 1600 px JPEG rendition exists (images): the viewer opens it first, quick to
 * fetch and shown by every web view (a TIFF scan too), with *View original* beside it.
 */
has_optimized: boolean, 
/**
 * Why it is not ready or cannot be opened ("Checking for viruses…", "Processing failed: …").
 */
status_note?: string, 
/**
 * "Same file as lab-report-2.pdf, added 03-Dec-2026": flagged, never removed.
 */
duplicate_note?: string, 
/**
 * Pages in the document once the server counted them (a TIFF's pages each have a preview).
 */
pages?: number, 
/**
 * For a search: where the words were found ("Found in the file name", "Found on page 3").
 */
found_in?: string, };

export type DocumentList = { rows: Array<ListedDocument>, 
/**
 * The manifest version listed: send it back as `If-None-Match` to revalidate.
 */
etag: string | null, 
/**
 * More rows after these (a list asked with `limit`): send it back as `after`. The last
 * row's document id.
 */
next?: string, };

export type FirstScreen = { category: Category, rows: Array<ListedDocument>, 
/**
 * The category has more rows: list them with `after=<next>` (the last row's document id).
 */
next?: string, };

export type DocumentHistory = { rows: Array<HistoryRow>, };

export type DeleteDocument = { reason: string, };

export type DocumentView = "original" | "optimized";

export type DocumentAccess = { doc_id: string, 
/**
 * The rendition behind `url`; `content_type`, `size` and `sha256` are that rendition's.
 */
view: DocumentView, category: Category, file_name: string, content_type: string, size: number, 
/**
 * Lower-case hex SHA-256 the bytes must match.
 */
sha256: string, 
/**
 * When it was added (RFC 3339) and by whom.
 */
created: string, uploaded_by: string, 
/**
 * The stamp in words (`Verified by dr.okafor at …`), if stamped.
 */
stamp: string | null, 
/**
 * Presigned GET, valid for `expires_in_seconds`.
 */
url: string, expires_in_seconds: number, 
/**
 * An image's page previews (1600 px JPEGs the server made), page 1 first, each a presigned
 * GET valid as long as `url`; ask for `?view=optimized&page=N` for one page with its
 * SHA-256. Empty for a PDF, and until the server has prepared them.
 */
page_urls: Array<string>, 
/**
 * The document's text as the server read it (a `StoredText`), a presigned GET valid as
 * long as `url`: the desktop keeps it so its offline search finds the document by its
 * words. None until the server has read it, or when it has no text.
 */
text_url?: string, };

export type ExportRequest = { doc_ids: Array<string>, categories: Array<Category>, };

export type ExportedDocuments = { documents: Array<DocumentAccess>, };

export type ExportArchive = { url: string, file_name: string, 
/**
 * Documents in it, beside `manifest.csv`.
 */
files: number, bytes: number, };

export type PatientRegistration = { 
/**
 * Ten digits (spaces or dashes between them allowed) with a valid check digit.
 */
nhs_number: string, given_name: string, family_name: string, 
/**
 * `YYYY-MM-DD`.
 */
birth_date: string, gender: Gender, postcode: string, restricted: boolean, 
/**
 * Set when this record was merged into another: that record's MRN.
 */
superseded_by: string | null, };

export type ImportOutcome = "created" | "updated" | "unchanged" | "refused";

export type RegisteredPatient = { outcome: ImportOutcome, summary: PatientSummary, };

export type ImportRow = { 
/**
 * 1-based line in the file (the header is line 1).
 */
line: number, mrn: string | null, outcome: ImportOutcome, message: string, };

export type ImportReport = { rows: Array<ImportRow>, created: number, updated: number, unchanged: number, refused: number, };

export type AuditHistory = { events: Array<AuditEvent>, 
/**
 * The same events as the access-history panel shows them (the browser shows these).
 */
rows: Array<AccessEvent>, 
/**
 * More, older events: send this back as `after` for the next page.
 */
next?: string | null, };

export type OfflineAction = "find" | "list" | "thumbnails" | "view";

export type OfflineView = { 
/**
 * Chosen by the desktop when the read happened: a replay is accepted once.
 */
event_id: string, mrn: string, doc_id: string | null, 
/**
 * RFC 3339, the desktop's clock at the time of the read.
 */
at: string, action: OfflineAction, 
/**
 * The break-glass reason the user gave offline for a restricted record: the reason id
 * (as `BREAK_GLASS_REASON_HEADER` carries it) and the user's own words.
 */
reason?: string | null, reason_detail?: string | null, 
/**
 * How many rows or thumbnails a list or thumbnails read showed.
 */
count?: number | null, };

export type OfflineViews = { views: Array<OfflineView>, };

export type OfflineViewsAccepted = { accepted: number, 
/**
 * Views never stored, and never to be sent again: an unknown patient or document, or a
 * time older than the offline retention or ahead of the server's clock.
 */
refused: number, };

export type Alert = { 
/**
 * When it was found (RFC 3339).
 */
at: string, 
/**
 * The same time as staff read it (UK local time, saying GMT or BST).
 */
shown_at: string, mrn: string, 
/**
 * From the patient's record; `None` when the document is no longer listed there, or the
 * record is restricted.
 */
category: Category | null, 
/**
 * The category as staff read it ("OT notes"); `None` with `category`.
 */
category_label: string | null, doc_id: string | null, 
/**
 * From the patient's record; `None` when the document is no longer listed there, or the
 * record is restricted.
 */
file_name: string | null, 
/**
 * What happened, in staff words ("Blocked a document: a virus was found").
 */
what: string, 
/**
 * The patient's record is restricted: its category and file name are not shown here (open
 * the record, giving a reason, to see them).
 */
restricted: boolean, };

export type AlertList = { alerts: Array<Alert>, };

export type StartUpload = { doc_id: string, 
/**
 * The hospital's MRN format (by default the pattern shown).
 */
mrn: string, category: Category, 
/**
 * The user's file name: metadata only.
 */
file_name: string, 
/**
 * `application/pdf`, `image/jpeg`, `image/png` or `image/tiff`.
 */
content_type: string, 
/**
 * Bytes, at most the server's upload limit (50 MiB unless configured).
 */
size: number, 
/**
 * Lower-case hex SHA-256 of the whole file.
 */
sha256: string, replace_oldest: boolean, 
/**
 * Above the multipart threshold: hex SHA-256 of each part, in order (part size as the
 * server's answer says).
 */
part_sha256: Array<string>, 
/**
 * A multipart upload an earlier try of this document started: the server keeps using it
 * while S3 still has it, so the parts already sent are not sent again.
 */
resume_upload_id?: string | null, };

export type ObjectRole = "original";

export type RequestHeader = { name: string, value: string, };

export type PresignedRequest = { method: string, url: string, headers: Array<RequestHeader>, };

export type PresignedPart = { number: number, request: PresignedRequest, };

export type MultipartTarget = { upload_id: string, part_size: number, parts: Array<PresignedPart>, };

export type UploadTarget = { role: ObjectRole, put: PresignedRequest | null, multipart: MultipartTarget | null, };

export type StartedUpload = { doc_id: string, 
/**
 * A replay of an upload already in the record: nothing to send.
 */
already_attached: boolean, objects: Array<UploadTarget>, expires_in_seconds: number, 
/**
 * The size this upload's parts are cut at (the client hashed them at the size the client
 * config gave; it stops if the two differ).
 */
part_size: number, 
/**
 * How many parts or PUTs of this upload to send at once.
 */
parallel_parts: number, };

export type StartUploads = { uploads: Array<StartUpload>, };

export type StartResult = { doc_id: string, started: StartedUpload | null, error: ErrorBody | null, };

export type StartedUploads = { results: Array<StartResult>, };

export type CompletedPartDto = { number: number, etag: string, };

export type CompleteUpload = { 
/**
 * For a multipart original: its upload id and the parts S3 accepted.
 */
multipart_upload_id: string | null, parts: Array<CompletedPartDto>, doc_id: string, 
/**
 * The hospital's MRN format (by default the pattern shown).
 */
mrn: string, category: Category, 
/**
 * The user's file name: metadata only.
 */
file_name: string, 
/**
 * `application/pdf`, `image/jpeg`, `image/png` or `image/tiff`.
 */
content_type: string, 
/**
 * Bytes, at most the server's upload limit (50 MiB unless configured).
 */
size: number, 
/**
 * Lower-case hex SHA-256 of the whole file.
 */
sha256: string, replace_oldest: boolean, 
/**
 * Above the multipart threshold: hex SHA-256 of each part, in order (part size as the
 * server's answer says).
 */
part_sha256: Array<string>, 
/**
 * A multipart upload an earlier try of this document started: the server keeps using it
 * while S3 still has it, so the parts already sent are not sent again.
 */
resume_upload_id?: string | null, };

export type CompleteUploads = { uploads: Array<CompleteUpload>, };

export type UploadOutcomeKind = "attached" | "already_attached" | "preop_full" | "refused";

export type CompleteResult = { doc_id: string, outcome: UploadOutcomeKind, row: DocumentRow | null, error: ErrorBody | null, };

export type CompletedUploads = { results: Array<CompleteResult>, };

export type AbortUpload = { doc_id: string, mrn: string, category: Category, };
