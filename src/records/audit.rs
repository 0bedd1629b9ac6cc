//! Append-only audit trail in S3: who did what to which document, when. No clinical content.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cloud::object_store::{ObjectStore, StoreError, Write};
use crate::domain::Mrn;

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    View,
    Stamp,
    Detach,
    Delete,
    Upload,
    Export,
}

#[derive(Debug, Serialize)]
pub struct AuditEvent {
    pub event_id: Uuid,
    pub at: String,
    pub actor: String,
    pub action: AuditAction,
    pub mrn: String,
    pub doc_id: Option<Uuid>,
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
    };
    (audit_key(at, event.event_id), event)
}

/// Writes one event; create-only, so an event is never overwritten.
pub async fn record(
    store: &ObjectStore,
    at: OffsetDateTime,
    actor: &str,
    action: AuditAction,
    mrn: &Mrn,
    doc_id: Option<Uuid>,
) -> Result<(), StoreError> {
    let (key, event) = event(at, actor, action, mrn, doc_id);
    store
        .put_json(&key, &event, Write::Create)
        .await
        .map(|_| ())
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
}
