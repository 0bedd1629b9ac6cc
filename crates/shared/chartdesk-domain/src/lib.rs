//! Identifiers, categories, roles and record rules. Pure: no I/O.

mod accepted_file;
mod audit_event;
mod break_glass;
mod category;
mod document_history;
mod document_rows;
mod idle_lock;
pub mod keys;
mod manifest;
mod mrn;
mod nhs_number;
mod paging;
mod patient;
mod patient_view;
mod preop_limit;
mod processing;
mod query;
mod role;
mod shared_entry;
mod shown_text;
mod signed_in;
mod stamp;
pub mod upload_protocol;

pub use accepted_file::{
    accept, accept_declared, sniff, type_label, AcceptedFile, AcceptedType, FileRefusal,
    ACCEPTED_TYPES, DEFAULT_MAX_BYTES, SNIFF_BYTES,
};
pub use audit_event::{AccessEvent, AuditAction, AuditEvent};
pub use break_glass::{
    break_glass_choices, BreakGlassChoice, BreakGlassError, BreakGlassReason, StatedReason,
};
pub use category::Category;
pub use document_history::{find_in_history, history_rows, HistoryRow, HistoryStatus};
pub use document_rows::{
    find_entry, row_for, rows_for, rows_matching, DocumentRow, RowPermissions,
};
pub use idle_lock::DEFAULT_IDLE_LOCK_SECONDS;
pub use manifest::{
    delete_reason, sha256_hex, DeleteReasonError, DocumentEntry, DocumentStatus, Manifest,
    ScanStatus, Sent, Stamp, StatusChange, MANIFEST_VERSION,
};
pub use mrn::{Mrn, MrnError, MrnFormat, DEFAULT_MRN_PATTERN};
pub use nhs_number::{check_digit, NhsNumber, NhsNumberError};
pub use paging::{page_of, LIST_CHANGED};
pub use patient::{Gender, Patient, PatientFlags};
pub use patient_view::{FirstRows, PatientBanner, PatientSummary, Tile};
pub use preop_limit::{attach, attach_replacing, AttachError, Attached, PREOP_IMAGE_LIMIT};
pub use processing::{
    duplicate_note, may_serve, status_note, withheld, Duplicate, DuplicateKind, Processing,
    ProcessingState, Withheld, PROCESSING_MAX_RECEIVES,
};
pub use query::{choose_reading, PatientQuery, QueryError, SearchChoice};
pub use role::{any_allows, roles_from_groups, Action, Role};
pub use shared_entry::SharedEntry;
pub use shown_text::{has_invisible, plain_text, typed_name};
pub use signed_in::{roles_label, SignInResult, SignedInUser};
pub use stamp::{apply_stamp, stamp_label, StampError};
