//! Uploads as server intents: start (validated, keys built and PUTs presigned by the server)
//! → the client PUTs the bytes straight to S3 → complete (verified, then attached). Every call
//! is idempotent by the client-chosen `doc_id`, so an outbox replay never doubles anything.

use chartdesk_domain::{Category, DocumentRow};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ErrorBody;

/// What the client declares before sending bytes; repeated unchanged in the complete call.
/// The original only: the processing worker makes every preview (ARCHITECTURE.md §9). A
/// `variants` list an older client still sends is ignored, as any unknown field is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct StartUpload {
    #[ts(type = "string")]
    pub doc_id: Uuid,
    /// The hospital's MRN format (by default the pattern shown).
    #[schema(pattern = "^[0-9]{6,12}$")]
    pub mrn: String,
    pub category: Category,
    /// The user's file name: metadata only.
    #[schema(min_length = 1, max_length = 255)]
    pub file_name: String,
    /// `application/pdf`, `image/jpeg`, `image/png` or `image/tiff`.
    #[schema(pattern = "^(application/pdf|image/jpeg|image/png|image/tiff)$")]
    pub content_type: String,
    /// Bytes, at most the server's upload limit (50 MiB unless configured).
    #[schema(minimum = 1)]
    pub size: u64,
    /// Lower-case hex SHA-256 of the whole file.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    #[serde(default)]
    pub replace_oldest: bool,
    /// Above the multipart threshold: hex SHA-256 of each part, in order (part size as the
    /// server's answer says).
    #[serde(default)]
    pub part_sha256: Vec<String>,
    /// A multipart upload an earlier try of this document started: the server keeps using it
    /// while S3 still has it, so the parts already sent are not sent again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_upload_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectRole {
    /// The file as uploaded: the one object a client sends.
    Original,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct RequestHeader {
    pub name: String,
    pub value: String,
}

/// A request the client sends as it is: the signature covers these headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct PresignedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<RequestHeader>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct PresignedPart {
    pub number: i32,
    pub request: PresignedRequest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MultipartTarget {
    pub upload_id: String,
    pub part_size: u64,
    pub parts: Vec<PresignedPart>,
}

/// One object to send: a single PUT, or the parts of a multipart upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct UploadTarget {
    pub role: ObjectRole,
    pub put: Option<PresignedRequest>,
    pub multipart: Option<MultipartTarget>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct StartedUpload {
    #[ts(type = "string")]
    pub doc_id: Uuid,
    /// A replay of an upload already in the record: nothing to send.
    pub already_attached: bool,
    pub objects: Vec<UploadTarget>,
    pub expires_in_seconds: u64,
    /// The size this upload's parts are cut at (the client hashed them at the size the client
    /// config gave; it stops if the two differ).
    #[schema(minimum = 5242880)]
    pub part_size: u64,
    /// How many parts or PUTs of this upload to send at once.
    #[schema(minimum = 1)]
    pub parallel_parts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct CompletedPartDto {
    pub number: i32,
    pub etag: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CompleteUpload {
    #[serde(flatten)]
    pub upload: StartUpload,
    /// For a multipart original: its upload id and the parts S3 accepted.
    #[serde(default)]
    pub multipart_upload_id: Option<String>,
    #[serde(default)]
    pub parts: Vec<CompletedPartDto>,
}

/// The most uploads one start or complete call takes (a bigger batch is refused whole; clients
/// send several calls).
pub const MAX_UPLOADS_PER_REQUEST: usize = 100;

/// Several uploads started at once (at most `MAX_UPLOADS_PER_REQUEST`; issue 25 item 1): each
/// patient's record is reached and read once for all of their files, not once a file.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct StartUploads {
    #[schema(max_items = 100)]
    pub uploads: Vec<StartUpload>,
}

/// One upload of a batch start: what to send, or why it may not go ahead (nothing of it was
/// presigned then).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct StartResult {
    #[ts(type = "string")]
    pub doc_id: Uuid,
    pub started: Option<StartedUpload>,
    pub error: Option<ErrorBody>,
}

/// One result per upload, in the order asked.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct StartedUploads {
    pub results: Vec<StartResult>,
}

/// Several uploads completed at once (at most `MAX_UPLOADS_PER_REQUEST`): one manifest
/// compare-and-swap per patient.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CompleteUploads {
    #[schema(max_items = 100)]
    pub uploads: Vec<CompleteUpload>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadOutcomeKind {
    Attached,
    /// A replay: the document was already in the record.
    AlreadyAttached,
    /// Preop is full: offer *Replace oldest*; nothing was attached.
    PreopFull,
    /// Refused (the error says why); nothing was attached.
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CompleteResult {
    #[ts(type = "string")]
    pub doc_id: Uuid,
    pub outcome: UploadOutcomeKind,
    pub row: Option<DocumentRow>,
    pub error: Option<ErrorBody>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CompletedUploads {
    pub results: Vec<CompleteResult>,
}

/// An upload the user cancelled before it was attached: the server aborts its multipart
/// upload and removes any object already sent (none is in the record).
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AbortUpload {
    #[ts(type = "string")]
    pub doc_id: Uuid,
    #[schema(pattern = "^[0-9]{6,12}$")]
    pub mrn: String,
    pub category: Category,
}
