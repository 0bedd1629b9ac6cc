//! The feed of document changes (`AuditAction::changes_a_document`), kept as one more
//! create-only copy of each such event under `audit/changes/`. Its creation is what notifies the
//! processing worker's queue for FHIR subscriptions (ARCHITECTURE.md §10): a prefix of its own,
//! so the far more frequent reads (finds, lists, views) never reach the queue.

use uuid::Uuid;

/// Where the change copies are kept.
pub const CHANGES_PREFIX: &str = "audit/changes/";

/// `audit/changes/{event_id}.json` (the server's UUIDv7: in time order).
pub fn change_key(event_id: Uuid) -> String {
    format!("{CHANGES_PREFIX}{event_id}.json")
}

/// Whether `key` is a change copy, the one copy that notifies subscriptions.
pub fn is_change_key(key: &str) -> bool {
    key.strip_prefix(CHANGES_PREFIX)
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|id| Uuid::parse_str(id).is_ok())
}

#[cfg(test)]
mod tests {
    use super::super::{event, write};
    use super::*;
    use crate::store::{InMemoryRecordStore, RecordStore};
    use chartdesk_domain::{AuditAction, Mrn};
    use time::OffsetDateTime;

    #[tokio::test]
    async fn only_a_document_change_is_copied_to_the_change_feed() {
        let store = InMemoryRecordStore::new();
        let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let mrn = Mrn::from_stored("10000001").unwrap();
        let mut changed = Vec::new();
        for action in [
            AuditAction::Find,
            AuditAction::List,
            AuditAction::View,
            AuditAction::Stamp,
            AuditAction::Processed,
        ] {
            let (_, e) = event(at, "dr.okafor", action, &mrn, Some(Uuid::now_v7()));
            write(&store, at, &e).await.unwrap();
            if action.changes_a_document() {
                changed.push(change_key(e.event_id));
            }
        }
        let mut keys = store
            .list_keys_page(CHANGES_PREFIX, None, 100)
            .await
            .unwrap();
        keys.sort();
        changed.sort();
        assert_eq!(keys, changed);
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|k| is_change_key(k)));
    }

    #[test]
    fn only_a_change_copy_is_read_as_a_change() {
        assert!(is_change_key(&change_key(Uuid::nil())));
        for other in [
            "audit/2026/09/21/00000000-0000-0000-0000-000000000000.json",
            "audit/alerts/1-00000000-0000-0000-0000-000000000000.json",
            "audit/changes/not-a-uuid.json",
            "patients/10000001/originals/lab/x.pdf",
        ] {
            assert!(!is_change_key(other), "{other}");
        }
    }
}
