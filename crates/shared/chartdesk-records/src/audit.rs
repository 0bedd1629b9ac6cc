//! Append-only audit trail in S3: who did what to which record, when. No clinical content.
//!
//! Each event is stored twice, both create-only: under its day (`audit/{yyyy}/{mm}/{dd}/`,
//! ARCHITECTURE.md §4) for trust-wide review, and under its patient (`history::patient_copy_key`) so
//! the access history of one record is a listing, not a scan of every day's events; a view
//! reported later from a desktop's offline copy goes to a patient prefix of its own, listed
//! after everything the server witnessed (`history`). Both keys
//! carry the server's own UUIDv7; a desktop's id for a view it made offline is kept only as
//! `client_event_id`, for idempotency. An event records admins must be told of (a virus found)
//! is stored once more under `audit/alerts/` (`alerts`), their trust-wide list; one that changes a
//! document once more under `audit/changes/` (`changes`), the feed FHIR subscriptions are
//! notified from.

mod alerts;
mod changes;
mod history;
mod shown;

pub use alerts::{alert_key, newest_alerts, ALERTS_PREFIX, NEWEST_ALERTS};
pub use changes::{change_key, is_change_key, CHANGES_PREFIX};
pub use history::{
    history, offline_patient_key, patient_audit_prefix, patient_copy_key, patient_key, Cursor,
    HistoryPage,
};
pub use shown::{access_event, uk_time};

use futures_util::future::join4;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::object_store::{StoreError, Write};
use crate::store::RecordStore;
use chartdesk_domain::{AuditAction, AuditEvent, Mrn};

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
        doc_ids: Vec::new(),
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

/// Writes one event under its day and, when it names a patient, under the patient, an alert
/// under `audit/alerts/` and a document change under `audit/changes/` too; create-only, so an event is never overwritten. Every copy is
/// required. The writes run to the end (`join4`: one failing never cancels another in flight),
/// and a copy already there counts only when it is this very event (an SDK retry after a lost
/// answer), never another one.
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
    let alert = Box::pin(async {
        match event.action.alerts_records_admins() {
            true => put_once(store, alert_key(at, event.event_id), event).await,
            false => Ok(()),
        }
    });
    let change = Box::pin(async {
        match event.action.changes_a_document() {
            true => put_once(store, change_key(event.event_id), event).await,
            false => Ok(()),
        }
    });
    let (day, by_patient, alert, change) = join4(day, by_patient, alert, change).await;
    day.and(by_patient).and(alert).and(change)
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
}
