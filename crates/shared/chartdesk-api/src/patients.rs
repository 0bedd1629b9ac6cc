//! Patients, their documents, export and the audit history.

use chartdesk_domain::{
    AccessEvent, AuditEvent, DocumentRow, Gender, HistoryRow, Manifest, Patient, PatientSummary,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// A patient found: the banner and tiles, the first screen of the first blue tile, and (unless
/// `record=false` was asked) the record itself for the desktop's encrypted offline copy. Sent
/// again only when the record changed: a find with `If-None-Match: <version>` answers 304 while
/// neither the patient nor the manifest changed.
#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct FoundPatient {
    #[serde(flatten)]
    pub summary: PatientSummary,
    /// Left out when the find asked `record=false` (the browser; the desktop's background copy
    /// asks for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    #[ts(type = "unknown", optional)]
    pub patient: Option<Patient>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    #[ts(type = "unknown", optional)]
    pub manifest: Option<Manifest>,
    /// The first blue tile's first screen of rows (thumbnails inline), so the window draws it
    /// without a list request; None when every tile is grey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub first_screen: Option<FirstScreen>,
    /// The demographics' digest and the manifest's ETag together: a changed flag or name
    /// counts as a change as much as a new document does.
    pub version: String,
}

/// The record's version alone, for an open record to poll (`GET /v1/patients/{mrn}/version`):
/// the same value as `FoundPatient::version`. Not audited: nothing of the record is shown.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct RecordVersion {
    pub version: String,
}

/// One row of a category list, with a short-lived URL for its thumbnail (images only).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ListedDocument {
    #[serde(flatten)]
    pub row: DocumentRow,
    pub thumbnail_url: Option<String>,
    /// The thumbnail itself (base64 JPEG) for the first screen of rows, so a list shows its
    /// thumbnails without one request each; the rest come from `thumbnail_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct DocumentList {
    pub rows: Vec<ListedDocument>,
    /// The manifest version listed: send it back as `If-None-Match` to revalidate.
    pub etag: Option<String>,
    /// More rows after these (a list asked with `limit`): send it back as `after`. The last
    /// row's document id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(format = Uuid)]
    pub next: Option<String>,
}

/// The most rows one page of a list may ask for (`limit`).
pub const MAX_PAGE_ROWS: usize = 500;

/// One category's first screen of rows, as its list's first page answers it.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct FirstScreen {
    pub category: chartdesk_domain::Category,
    pub rows: Vec<ListedDocument>,
    /// The category has more rows: list them with `after=<next>` (the last row's document id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(format = Uuid)]
    pub next: Option<String>,
}

/// A category's replaced, detached and deleted documents (clinicians and records admins),
/// most recently changed first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct DocumentHistory {
    pub rows: Vec<HistoryRow>,
}

/// Why a records admin deletes a document: kept on its tombstone in the record's history.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct DeleteDocument {
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Which rendition of a document to open (`?view=` on the document's path).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentView {
    /// The file as uploaded.
    #[default]
    Original,
    /// The 1600 px JPEG made at upload (images only): quick to fetch, and shown by every web
    /// view, TIFF scans included.
    Optimized,
}

/// Where to fetch one document's bytes, and what they must hash to.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct DocumentAccess {
    #[ts(type = "string")]
    pub doc_id: Uuid,
    /// The rendition behind `url`; `content_type`, `size` and `sha256` are that rendition's.
    #[serde(default)]
    pub view: DocumentView,
    pub category: chartdesk_domain::Category,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    /// Lower-case hex SHA-256 the bytes must match.
    pub sha256: String,
    /// When it was added (RFC 3339) and by whom.
    pub created: String,
    pub uploaded_by: String,
    /// The stamp in words (`Verified by dr.okafor at …`), if stamped.
    pub stamp: Option<String>,
    /// Presigned GET, valid for `expires_in_seconds`.
    pub url: String,
    pub expires_in_seconds: u64,
    /// An image's page previews (1600 px JPEGs the server made), page 1 first, each a presigned
    /// GET valid as long as `url`; ask for `?view=optimized&page=N` for one page with its
    /// SHA-256. Empty for a PDF, and until the server has prepared them.
    #[serde(default)]
    pub page_urls: Vec<String>,
    /// The document's text as the server read it (a `StoredText`), a presigned GET valid as
    /// long as `url`: the desktop keeps it so its offline search finds the document by its
    /// words. None until the server has read it, or when it has no text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text_url: Option<String>,
}

/// A document's text object as the processing worker stores it (`text/…json`), as far as a
/// client reads it: its pages' words.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredText {
    #[serde(default)]
    pub pages: Vec<StoredPage>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredPage {
    pub page: u32,
    pub text: String,
}

/// What to export: these documents and every attached document of these categories.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, ToSchema)]
pub struct ExportRequest {
    #[serde(default)]
    #[schema(max_items = 500)]
    #[ts(type = "Array<string>")]
    pub doc_ids: Vec<Uuid>,
    #[serde(default)]
    pub categories: Vec<chartdesk_domain::Category>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ExportedDocuments {
    pub documents: Vec<DocumentAccess>,
}

/// The ZIP the server wrote for a browser: a presigned GET, a minute long, that S3 answers as
/// a download named `file_name`. The ZIP never passes through the server's answer, so its size
/// is not bound by what Lambda may return.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ExportArchive {
    pub url: String,
    pub file_name: String,
    /// Documents in it, beside `manifest.csv`.
    pub files: usize,
    pub bytes: u64,
}

/// A patient as a records admin registers or updates them.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct PatientRegistration {
    /// Ten digits (spaces or dashes between them allowed) with a valid check digit.
    #[schema(pattern = "^[ -]*([0-9][ -]*){10}$")]
    pub nhs_number: String,
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub birth_date: String,
    #[serde(default)]
    pub gender: Gender,
    // A UK postcode as the server checks it: 5 to 7 letters and digits, a letter first and a
    // digit third from last, spaces anywhere (stored as `LS1 4AP`). Plain comments: the
    // generated TypeScript stays as it is.
    #[schema(
        pattern = r"^\s*[A-Za-z]\s*([A-Za-z0-9]\s*){1,3}[0-9]\s*[A-Za-z0-9]\s*[A-Za-z0-9]\s*$"
    )]
    pub postcode: String,
    #[serde(default)]
    pub restricted: bool,
    /// Set when this record was merged into another: that record's MRN.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6,12}$")]
    pub superseded_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct RegisteredPatient {
    pub outcome: ImportOutcome,
    pub summary: PatientSummary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ImportRow {
    /// 1-based line in the file (the header is line 1).
    pub line: u32,
    pub mrn: Option<String>,
    pub outcome: ImportOutcome,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub refused: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AuditHistory {
    pub events: Vec<AuditEvent>,
    /// The same events as the access-history panel shows them (the browser shows these).
    #[serde(default)]
    pub rows: Vec<AccessEvent>,
    /// More, older events: send this back as `after` for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// What a desktop showed from its offline copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfflineAction {
    /// The banner and tiles of a cached patient.
    Find,
    /// A cached category list or search.
    List,
    /// Cached thumbnails shown with a list.
    Thumbnails,
    /// A cached document opened.
    #[default]
    View,
}

/// A read a desktop made from its offline copy, reported once it is back online.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfflineView {
    /// Chosen by the desktop when the read happened: a replay is accepted once.
    #[ts(type = "string")]
    pub event_id: Uuid,
    #[schema(pattern = "^[0-9]{6,12}$")]
    pub mrn: String,
    #[ts(type = "string | null")]
    pub doc_id: Option<Uuid>,
    /// RFC 3339, the desktop's clock at the time of the read.
    #[schema(format = DateTime)]
    pub at: String,
    #[serde(default)]
    pub action: OfflineAction,
    /// The break-glass reason the user gave offline for a restricted record: the reason id
    /// (as `BREAK_GLASS_REASON_HEADER` carries it) and the user's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_detail: Option<String>,
    /// How many rows or thumbnails a list or thumbnails read showed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfflineViews {
    #[schema(max_items = 500)]
    pub views: Vec<OfflineView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OfflineViewsAccepted {
    pub accepted: u32,
    /// Views never stored, and never to be sent again: an unknown patient or document, or a
    /// time older than the offline retention or ahead of the server's clock.
    #[serde(default)]
    pub refused: u32,
}
