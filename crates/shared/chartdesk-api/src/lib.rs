//! The records server's wire types (`/v1`): what clients send and get back. Transport DTOs
//! only, on the domain alone (never the S3 store); the rules they carry live in
//! `chartdesk-domain` and `chartdesk-records`. Their TypeScript is generated (`typescript`).

mod alerts;
mod error;
mod patients;
mod policy;
mod session;
mod typescript;
mod uploads;

pub use alerts::{Alert, AlertList};
pub use error::{ApiErrorCode, ErrorBody};
pub use patients::{
    AuditHistory, DeleteDocument, DocumentAccess, DocumentHistory, DocumentList, DocumentView,
    ExportArchive, ExportRequest, ExportedDocuments, FirstScreen, FoundPatient, Health,
    ImportOutcome, ImportReport, ImportRow, ListedDocument, OfflineAction, OfflineView,
    OfflineViews, OfflineViewsAccepted, PatientRegistration, RecordVersion, RegisteredPatient,
    StoredPage, StoredText, MAX_PAGE_ROWS,
};
pub use policy::{AcceptedFileType, UploadProtocol};
pub use session::{
    ChallengeToken, ClientConfig, CodeAnswer, IssuedTokens, NewPasswordAnswer, RefreshRequest,
    SessionAnswer, SignInRequest, SignOutRequest,
};
pub use typescript::{typescript, typescript_module, typescript_names, TYPESCRIPT_PATH};
pub use uploads::{
    AbortUpload, CompleteResult, CompleteUpload, CompleteUploads, CompletedPartDto,
    CompletedUploads, MultipartTarget, ObjectRole, PresignedPart, PresignedRequest, RequestHeader,
    StartResult, StartUpload, StartUploads, StartedUpload, StartedUploads, UploadOutcomeKind,
    UploadTarget, MAX_UPLOADS_PER_REQUEST,
};

/// Headers a request to a restricted record carries: the break-glass reason id and the
/// user's own words (percent-encoded: header values are ASCII).
pub const BREAK_GLASS_REASON_HEADER: &str = "x-chartdesk-break-glass-reason";
pub const BREAK_GLASS_DETAIL_HEADER: &str = "x-chartdesk-break-glass-detail";
