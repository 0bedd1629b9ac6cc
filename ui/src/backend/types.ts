// Generated from the Rust core by `UPDATE_TS_TYPES=1 cargo test ts_bindings`. Do not edit.

export type Category = "preop" | "lab" | "radiology" | "intraop" | "ot_notes" | "postop" | "discharge";

export type Role = "clinician" | "ward_staff" | "records_admin";

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
 * Whether this desktop keeps the patient offline whatever the budget (never sent by the
 * server: it is this computer's choice).
 */
pinned: boolean, 
/**
 * Set when this is the offline copy (RFC 3339 time it was last confirmed current).
 */
synced_at: string | null, };

export type ScanStatus = "pending" | "clean" | "infected";

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
has_optimized: boolean, };

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
has_optimized: boolean, };

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
last_error_code: ErrorCode | null, };

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
 * Still queued: the cloud could not be reached.
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

export type ErrorCode = "invalid_input" | "not_found" | "wrong_credentials" | "not_signed_in" | "locked" | "forbidden" | "unreachable" | "conflict" | "preop_full" | "reason_required" | "ambiguous_query" | "cancelled" | "cache_unreadable" | "optimized_not_kept" | "config" | "internal";

export type SearchChoice = { label: string, query: string, };

export type UiError = { code: ErrorCode, message: string, 
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

export type BreakGlassReason = "direct_care" | "clinical_emergency" | "safeguarding" | "other";

export type BreakGlassChoice = { reason: BreakGlassReason, label: string, };

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

export type AccessHistoryRows = { rows: Array<AccessEvent>, 
/**
 * Older events remain: send this back as `after` for the next page.
 */
next: string | null, };
