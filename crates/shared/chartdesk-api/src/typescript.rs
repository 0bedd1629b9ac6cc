//! The browser's TypeScript for `/v1`, generated from these types so the two cannot drift.
//! `ui/src/backend/api-types.ts` is committed; the client core's `ts_bindings.rs` tests it for drift beside
//! the desktop's IPC types, which import these rather than declare them again.

use ts_rs::{Config, TS};

use crate::*;
use chartdesk_domain::{
    AccessEvent, AuditAction, AuditEvent, BreakGlassChoice, BreakGlassReason, Category,
    DocumentRow, FirstRows, Gender, HistoryRow, HistoryStatus, PatientBanner, PatientSummary, Role,
    ScanStatus, SearchChoice, SignInResult, SignedInUser, Tile,
};

/// Path of the committed file, relative to the workspace root.
pub const TYPESCRIPT_PATH: &str = "ui/src/backend/api-types.ts";

/// Sizes and counts are far below 2^53: plain numbers, not `bigint`.
fn config() -> Config {
    Config::new().with_large_int("number")
}

macro_rules! declarations {
    ($($t:ty),* $(,)?) => {
        /// Every type `/v1` sends or takes, with its name, in the order the file lists them.
        fn declarations(cfg: &Config) -> Vec<(String, String)> {
            vec![$((<$t>::name(cfg), <$t>::decl(cfg))),*]
        }
    };
}

declarations!(
    // The domain's vocabulary, as the wire carries it.
    Category,
    Role,
    Gender,
    ScanStatus,
    SearchChoice,
    BreakGlassReason,
    BreakGlassChoice,
    SignedInUser,
    SignInResult,
    PatientBanner,
    Tile,
    FirstRows,
    PatientSummary,
    DocumentRow,
    HistoryStatus,
    HistoryRow,
    AuditAction,
    AuditEvent,
    AccessEvent,
    // Errors.
    ApiErrorCode,
    ErrorBody,
    // Session and the hospital's policy.
    AcceptedFileType,
    UploadProtocol,
    ClientConfig,
    SignInRequest,
    ChallengeToken,
    NewPasswordAnswer,
    CodeAnswer,
    RefreshRequest,
    SignOutRequest,
    IssuedTokens,
    SessionAnswer,
    // Patients and documents.
    Health,
    FoundPatient,
    RecordVersion,
    ListedDocument,
    DocumentList,
    FirstScreen,
    DocumentHistory,
    DeleteDocument,
    DocumentView,
    DocumentAccess,
    ExportRequest,
    ExportedDocuments,
    ExportArchive,
    PatientRegistration,
    ImportOutcome,
    RegisteredPatient,
    ImportRow,
    ImportReport,
    AuditHistory,
    OfflineAction,
    OfflineView,
    OfflineViews,
    OfflineViewsAccepted,
    Alert,
    AlertList,
    // Uploads.
    StartUpload,
    ObjectRole,
    RequestHeader,
    PresignedRequest,
    PresignedPart,
    MultipartTarget,
    UploadTarget,
    StartedUpload,
    StartUploads,
    StartResult,
    StartedUploads,
    CompletedPartDto,
    CompleteUpload,
    CompleteUploads,
    UploadOutcomeKind,
    CompleteResult,
    CompletedUploads,
    AbortUpload,
);

/// The names `api-types.ts` exports, for the files that import them.
pub fn typescript_names() -> Vec<String> {
    declarations(&config())
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// A generated TypeScript module: `head` (its comment, imports and constants), then each
/// declaration exported.
pub fn typescript_module(head: &str, declarations: impl IntoIterator<Item = String>) -> String {
    let mut out = head.to_string();
    for decl in declarations {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

/// The whole of `api-types.ts`.
pub fn typescript() -> String {
    let mut head = String::from(
        "// Generated from crates/shared/chartdesk-api by `UPDATE_TS_TYPES=1 cargo test ts_bindings`. Do not edit.\n\n",
    );
    // The protocol's header names, so the browser never spells them itself.
    for (name, value) in [
        ("BREAK_GLASS_REASON_HEADER", BREAK_GLASS_REASON_HEADER),
        ("BREAK_GLASS_DETAIL_HEADER", BREAK_GLASS_DETAIL_HEADER),
    ] {
        head.push_str(&format!("export const {name} = \"{value}\";\n\n"));
    }
    head.push_str(&format!(
        "/** The most uploads one start or complete request takes. */\nexport const MAX_UPLOADS_PER_REQUEST = {};\n\n",
        crate::MAX_UPLOADS_PER_REQUEST
    ));
    let declarations = declarations(&config()).into_iter().map(|(_, decl)| decl);
    typescript_module(&head, declarations)
}
