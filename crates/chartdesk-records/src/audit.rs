//! Append-only audit trail in S3: who did what to which record, when. No clinical content.
//!
//! Each event is stored twice, both create-only: under its day (`audit/{yyyy}/{mm}/{dd}/`,
//! ARCHITECTURE.md §4) for trust-wide review, and under its patient (`history::patient_copy_key`) so
//! the access history of one record is a listing, not a scan of every day's events; a view
//! reported later from a desktop's offline copy goes to a patient prefix of its own, listed
//! after everything the server witnessed (`history`). Both keys
//! carry the server's own UUIDv7; a desktop's id for a view it made offline is kept only as
//! `client_event_id`, for idempotency.

mod history;
mod shown;

pub use history::{
    history, offline_patient_key, patient_audit_prefix, patient_copy_key, patient_key, Cursor,
    HistoryPage,
};
pub use shown::{access_event, uk_time, AccessEvent};

use futures_util::future::join;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::object_store::{StoreError, Write};
use crate::store::RecordStore;
use chartdesk_domain::Mrn;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A patient was looked up and shown (banner and tiles).
    Find,
    /// A category's document list (or a search across the record).
    List,
    /// A batch of thumbnails was handed out with a list.
    Thumbnails,
    View,
    Stamp,
    Detach,
    Delete,
    Upload,
    Export,
    /// A restricted record was opened with a stated reason.
    BreakGlass,
    /// Demographics registered or changed.
    PatientChange,
    /// An upload took a document (`doc_id`) out of the current list, e.g. the oldest of
    /// three preop images; it is kept and shows under the category's history.
    Replace,
    /// Someone asked for a restricted record without giving a reason, and was refused: the
    /// refusal itself tells them the patient is registered here, so it leaves a trace.
    AskedRestricted,
    /// The record was made restricted (`before`/`after` say the flag).
    Restrict,
    /// The record's restriction was lifted (`before`/`after` say the flag).
    Unrestrict,
    /// The demographics were sent again unchanged (the answer still shows the record).
    PatientUnchanged,
    /// The access history of the record was read.
    ReadHistory,
}

impl AuditAction {
    /// What the access-history panel says.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Find => "Found the patient",
            AuditAction::List => "Listed documents",
            AuditAction::Thumbnails => "Saw thumbnails",
            AuditAction::View => "Opened a document",
            AuditAction::Stamp => "Stamped a document",
            AuditAction::Detach => "Detached a document",
            AuditAction::Delete => "Deleted a document",
            AuditAction::Upload => "Added a document",
            AuditAction::Export => "Exported a document",
            AuditAction::BreakGlass => "Opened the restricted record",
            AuditAction::PatientChange => "Changed the demographics",
            AuditAction::Replace => "Replaced a document (kept in the history)",
            AuditAction::AskedRestricted => "Asked for a restricted record",
            AuditAction::Restrict => "Restricted the record",
            AuditAction::Unrestrict => "Lifted the restriction",
            AuditAction::PatientUnchanged => "Saved the demographics unchanged",
            AuditAction::ReadHistory => "Read the access history",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct AuditEvent {
    /// Made by the server when it recorded the event (UUIDv7).
    #[ts(type = "string")]
    pub event_id: Uuid,
    /// When it happened (RFC 3339); for an event a client reports later, when it happened there.
    pub at: String,
    pub actor: String,
    pub action: AuditAction,
    pub mrn: String,
    #[ts(type = "string | null")]
    pub doc_id: Option<Uuid>,
    /// Break-glass: the reason the user gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How many items (rows listed, thumbnails handed out, files exported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Set for views a desktop made offline and reported later: when the server received them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_at: Option<String>,
    /// For a view reported later: the id the desktop gave it (a replay is stored once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub client_event_id: Option<Uuid>,
    /// A change of a flag: its value before and after (`restricted`, `not restricted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// A demographics change: the names of the fields changed (never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

/// `audit/{yyyy}/{mm}/{dd}/{event_id}.json`.
pub fn audit_key(at: OffsetDateTime, event_id: Uuid) -> String {
    format!(
        "audit/{:04}/{:02}/{:02}/{event_id}.json",
        at.year(),
        u8::from(at.month()),
        at.day()
    )
}

/// One event and the key it is stored under.
pub fn event(
    at: OffsetDateTime,
    actor: &str,
    action: AuditAction,
    mrn: &Mrn,
    doc_id: Option<Uuid>,
) -> (String, AuditEvent) {
    let event = AuditEvent {
        event_id: Uuid::now_v7(),
        at: at.format(&Rfc3339).unwrap_or_default(),
        actor: actor.to_string(),
        action,
        mrn: mrn.to_string(),
        doc_id,
        reason: None,
        count: None,
        reported_at: None,
        client_event_id: None,
        before: None,
        after: None,
        changed: Vec::new(),
    };
    (audit_key(at, event.event_id), event)
}

/// Writes one event under its day and, when it names a patient, under the patient; create-only,
/// so an event is never overwritten. Both copies are required. Both writes run to the end
/// (`join`: one failing never cancels the other in flight), and a copy already there counts
/// only when it is this very event (an SDK retry after a lost answer), never another one.
pub async fn write(
    store: &dyn RecordStore,
    at: OffsetDateTime,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    let day_key = audit_key(at, event.event_id);
    // Boxed: these futures sit inside callers' futures, and debug builds overflowed test stacks.
    let day = Box::pin(put_once(store, day_key, event));
    let by_patient = Box::pin(async {
        match Mrn::from_stored(&event.mrn) {
            Ok(mrn) => put_once(store, patient_copy_key(&mrn, at, event), event).await,
            Err(_) => Ok(()),
        }
    });
    let (day, by_patient) = join(day, by_patient).await;
    day.and(by_patient)
}

/// A create-only write that is done when the key already holds this same event.
async fn put_once(
    store: &dyn RecordStore,
    key: String,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    match store.put_json(&key, event, Write::Create).await {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict) => match store.get_json::<AuditEvent>(&key).await? {
            Some(stored) if &stored.value == event => Ok(()),
            _ => Err(StoreError::Conflict),
        },
        Err(e) => Err(e),
    }
}

/// Writes one plain event (see `write`).
pub async fn record(
    store: &dyn RecordStore,
    at: OffsetDateTime,
    actor: &str,
    action: AuditAction,
    mrn: &Mrn,
    doc_id: Option<Uuid>,
) -> Result<(), StoreError> {
    let (_, event) = event(at, actor, action, mrn, doc_id);
    write(store, at, &event).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_keys_are_partitioned_by_day() {
        let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        assert_eq!(
            audit_key(at, Uuid::nil()),
            "audit/2026/09/21/00000000-0000-0000-0000-000000000000.json"
        );
    }

    #[test]
    fn events_without_optional_fields_read_back() {
        let json = r#"{"event_id":"00000000-0000-0000-0000-000000000000","at":"x","actor":"a",
            "action":"view","mrn":"10000001","doc_id":null}"#;
        let e: AuditEvent = serde_json::from_str(json).unwrap();
        assert_eq!(e.action, AuditAction::View);
        assert!(e.reason.is_none() && e.reported_at.is_none());
        assert!(e.client_event_id.is_none() && e.changed.is_empty());
    }
}
