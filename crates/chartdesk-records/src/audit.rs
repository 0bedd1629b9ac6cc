//! Append-only audit trail in S3: who did what to which record, when. No clinical content.
//!
//! Each event is stored twice, both create-only: under its day (`audit/{yyyy}/{mm}/{dd}/`,
//! DESIGN.md §3) for trust-wide review, and under its patient (`audit/patients/{mrn}/`) so the
//! access history of one record is a listing, not a scan of every day's events.

use futures_util::future::try_join;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::object_store::{ObjectStore, StoreError, Write};
use chartdesk_domain::{BreakGlassReason, Mrn};

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
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct AuditEvent {
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

/// `audit/patients/{mrn}/`: one patient's events, in time order (event ids are UUIDv7).
pub fn patient_audit_prefix(mrn: &Mrn) -> String {
    format!("audit/patients/{mrn}/")
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
    };
    (audit_key(at, event.event_id), event)
}

/// Writes one event under its day and, when it names a patient, under the patient; create-only,
/// so an event is never overwritten. A retried write that finds its own event there is done.
pub async fn write(
    store: &ObjectStore,
    at: OffsetDateTime,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    let day_key = audit_key(at, event.event_id);
    // Boxed: these futures sit inside callers' futures, and debug builds overflowed test stacks.
    let day = Box::pin(store.put_json(&day_key, event, Write::Create));
    let by_patient = Box::pin(async {
        match Mrn::from_stored(&event.mrn) {
            Ok(mrn) => {
                let key = format!("{}{}.json", patient_audit_prefix(&mrn), event.event_id);
                store.put_json(&key, event, Write::Create).await.map(|_| ())
            }
            Err(_) => Ok(()),
        }
    });
    match try_join(day, by_patient).await {
        Ok(_) | Err(StoreError::Conflict) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes one plain event (see `write`).
pub async fn record(
    store: &ObjectStore,
    at: OffsetDateTime,
    actor: &str,
    action: AuditAction,
    mrn: &Mrn,
    doc_id: Option<Uuid>,
) -> Result<(), StoreError> {
    let (_, event) = event(at, actor, action, mrn, doc_id);
    write(store, at, &event).await
}

/// The newest `limit` events of one patient, newest first.
pub async fn history(
    store: &ObjectStore,
    mrn: &Mrn,
    limit: usize,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut keys = store.list_keys(&patient_audit_prefix(mrn)).await?;
    keys.sort_unstable_by(|a, b| b.cmp(a));
    keys.truncate(limit);
    let reads = keys.iter().map(|k| store.get_json::<AuditEvent>(k));
    let found = futures_util::future::try_join_all(reads).await?;
    Ok(found.into_iter().flatten().map(|v| v.value).collect())
}

/// One line of the access-history panel.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct AccessEvent {
    /// RFC 3339, as recorded.
    pub at: String,
    /// UK form for the panel, e.g. `30-Nov-2026 09:15` (UTC).
    pub shown_at: String,
    pub actor: String,
    pub action: String,
    pub doc_id: Option<String>,
    /// The break-glass reason, for opening a restricted record.
    pub reason: Option<String>,
    /// A view made from the offline copy and reported later.
    pub reported_offline: bool,
}

/// An audit event as the access-history panel shows it (UK time, reasons in words).
pub fn access_event(e: AuditEvent) -> AccessEvent {
    let format =
        time::macros::format_description!("[day]-[month repr:short]-[year] [hour]:[minute]");
    let shown_at = OffsetDateTime::parse(&e.at, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| e.at.clone());
    AccessEvent {
        shown_at,
        at: e.at,
        actor: e.actor,
        action: e.action.label().to_string(),
        doc_id: e.doc_id.map(|d| d.to_string()),
        reason: e.reason.as_deref().map(reason_shown),
        reported_offline: e.reported_at.is_some(),
    }
}

/// `clinical_emergency: words` as the panel says it: `Clinical emergency: words`.
fn reason_shown(stored: &str) -> String {
    let (id, words) = stored.split_once(": ").unwrap_or((stored, ""));
    match (BreakGlassReason::from_id(id), words.is_empty()) {
        (Some(BreakGlassReason::Other), false) => format!("Other: {words}"),
        (Some(r), true) => r.label().to_string(),
        (Some(r), false) => format!("{}: {words}", r.label()),
        (None, _) => stored.to_string(),
    }
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
    }
}
