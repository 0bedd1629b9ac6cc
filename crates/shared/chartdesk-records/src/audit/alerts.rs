//! The trust-wide list of events records admins are told of (`AuditAction::alerts_records_admins`:
//! a document blocked by the virus scanner), kept as a third create-only copy of each such event
//! under `audit/alerts/`.
//!
//! Keyed like the per-patient copy, by an inverted timestamp then the server's UUIDv7: ascending
//! key order is newest first, so the newest N are one listing page, never a listing of every
//! alert ever recorded.

use time::OffsetDateTime;
use uuid::Uuid;

use super::history::{inverted_millis, read_all};
use crate::store::object_store::StoreError;
use crate::store::RecordStore;
use chartdesk_domain::AuditEvent;

/// Where the alerts are kept, newest first.
pub const ALERTS_PREFIX: &str = "audit/alerts/";

/// How many alerts the list shows: the newest ones.
pub const NEWEST_ALERTS: usize = 100;

/// `audit/alerts/{inverted millis}-{event_id}.json`.
pub fn alert_key(at: OffsetDateTime, event_id: Uuid) -> String {
    format!("{ALERTS_PREFIX}{}-{event_id}.json", inverted_millis(at))
}

/// The newest `limit` alerts (at most 1000), newest first.
pub async fn newest_alerts(
    store: &dyn RecordStore,
    limit: usize,
) -> Result<Vec<AuditEvent>, StoreError> {
    let max = i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000);
    let keys = store.list_keys_page(ALERTS_PREFIX, None, max).await?;
    read_all(store, &keys).await
}

#[cfg(test)]
mod tests {
    use super::super::{event, write};
    use super::*;
    use crate::store::InMemoryRecordStore;
    use chartdesk_domain::{AuditAction, Mrn};

    fn mrn() -> Mrn {
        Mrn::from_stored("10000001").unwrap()
    }

    #[tokio::test]
    async fn only_an_alert_action_is_copied_to_the_records_admins_list() {
        let store = InMemoryRecordStore::new();
        let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        for action in [
            AuditAction::Processed,
            AuditAction::View,
            AuditAction::Upload,
        ] {
            let (_, e) = event(at, "system", action, &mrn(), None);
            write(&store, at, &e).await.unwrap();
        }
        assert!(store.list_keys(ALERTS_PREFIX).await.unwrap().is_empty());
        let (_, virus) = event(at, "system", AuditAction::VirusFound, &mrn(), None);
        write(&store, at, &virus).await.unwrap();
        // Written again (an SDK retry): the same event is already there, nothing else is added.
        write(&store, at, &virus).await.unwrap();
        assert_eq!(
            store.list_keys(ALERTS_PREFIX).await.unwrap(),
            vec![alert_key(at, virus.event_id)]
        );
    }

    #[tokio::test]
    async fn the_newest_alerts_come_first_and_at_most_the_limit() {
        let store = InMemoryRecordStore::new();
        let start = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let mut ids = Vec::new();
        for minute in 0..3 {
            let at = start + time::Duration::minutes(minute);
            let (_, e) = event(at, "system", AuditAction::VirusFound, &mrn(), None);
            write(&store, at, &e).await.unwrap();
            ids.push(e.event_id);
        }
        let newest = newest_alerts(&store, 2).await.unwrap();
        let shown: Vec<_> = newest.iter().map(|e| e.event_id).collect();
        assert_eq!(shown, vec![ids[2], ids[1]]);
    }
}
