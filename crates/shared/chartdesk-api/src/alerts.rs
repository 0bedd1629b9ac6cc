//! What records admins are told of trust-wide: documents the virus scanner blocked.

use chartdesk_domain::Category;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

/// One document blocked by the virus scanner, as the records admins' list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct Alert {
    /// When it was found (RFC 3339).
    pub at: String,
    /// The same time as staff read it (UK local time, saying GMT or BST).
    pub shown_at: String,
    pub mrn: String,
    /// From the patient's record; `None` when the document is no longer listed there, or the
    /// record is restricted.
    #[serde(default)]
    pub category: Option<Category>,
    /// The category as staff read it ("OT notes"); `None` with `category`.
    #[serde(default)]
    pub category_label: Option<String>,
    #[ts(type = "string | null")]
    pub doc_id: Option<Uuid>,
    /// From the patient's record; `None` when the document is no longer listed there, or the
    /// record is restricted.
    #[serde(default)]
    pub file_name: Option<String>,
    /// What happened, in staff words ("Blocked a document: a virus was found").
    pub what: String,
    /// The patient's record is restricted: its category and file name are not shown here (open
    /// the record, giving a reason, to see them).
    #[serde(default)]
    pub restricted: bool,
}

/// The newest alerts (at most 100), newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, ToSchema)]
pub struct AlertList {
    pub alerts: Vec<Alert>,
}
