//! One patient's events, newest first, a page at a time.
//!
//! S3 lists keys in ascending lexical order only, and a listing cannot be sorted by anything
//! else without reading all of it. So the per-patient copy is keyed by an INVERTED timestamp of
//! the recorded time (`9999999999999 - unix milliseconds`, 13 digits) and the server's UUIDv7:
//! ascending key order is then newest first, the first page is the newest N events, and the
//! next page starts after the last key shown (`StartAfter`). Nothing a client chooses is in the
//! key, so nobody can place events ahead of others.
//!
//! Events stored before this scheme sit under `audit/patients/{mrn}/{event_id}.json` and are
//! shown after the newest ones, in their old (key) order: a bounded, no-longer-growing set.

use futures_util::{StreamExt, TryStreamExt};
use time::OffsetDateTime;
use uuid::Uuid;

use super::AuditEvent;
use crate::store::object_store::{ObjectStore, StoreError};
use chartdesk_domain::Mrn;

/// How many event reads run at once for one page.
const READS_AT_ONCE: usize = 16;
const NEWEST_FIRST_BASE: i128 = 9_999_999_999_999;

/// `audit/by-patient/{mrn}/`: one patient's events, newest first (see the module comment).
pub fn patient_audit_prefix(mrn: &Mrn) -> String {
    format!("audit/by-patient/{mrn}/")
}

/// Where events were kept per patient before they were keyed newest first.
fn legacy_prefix(mrn: &Mrn) -> String {
    format!("audit/patients/{mrn}/")
}

/// `audit/by-patient/{mrn}/{inverted millis}-{event_id}.json`.
pub fn patient_key(mrn: &Mrn, at: OffsetDateTime, event_id: Uuid) -> String {
    let millis = (at.unix_timestamp_nanos() / 1_000_000).clamp(0, NEWEST_FIRST_BASE);
    format!(
        "{}{:013}-{event_id}.json",
        patient_audit_prefix(mrn),
        NEWEST_FIRST_BASE - millis
    )
}

/// Where a page of the history starts: after a key under the newest-first prefix, or after a
/// key among the older events. Handed to the client as an opaque string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Recent(String),
    Legacy(String),
}

const LEGACY_MARK: &str = "legacy/";

impl Cursor {
    /// A cursor a client sent back; `None` when it is not one this server made.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (legacy, name) = match text.strip_prefix(LEGACY_MARK) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let stem = name.strip_suffix(".json")?;
        let ok = if legacy {
            Uuid::parse_str(stem).is_ok()
        } else {
            stem.split_once('-').is_some_and(|(millis, id)| {
                millis.len() == 13
                    && millis.bytes().all(|b| b.is_ascii_digit())
                    && Uuid::parse_str(id).is_ok()
            })
        };
        ok.then(|| {
            if legacy {
                Cursor::Legacy(name.to_string())
            } else {
                Cursor::Recent(name.to_string())
            }
        })
    }

    pub fn as_text(&self) -> String {
        match self {
            Cursor::Recent(name) => name.clone(),
            Cursor::Legacy(name) => format!("{LEGACY_MARK}{name}"),
        }
    }
}

/// One page of a patient's history, newest first, and where the next one starts.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub events: Vec<AuditEvent>,
    pub next: Option<Cursor>,
}

/// Up to `limit` events of one patient, newest first, after `after` (from the start if none).
pub async fn history(
    store: &ObjectStore,
    mrn: &Mrn,
    limit: usize,
    after: Option<&Cursor>,
) -> Result<HistoryPage, StoreError> {
    let limit = limit.max(1);
    let prefix = patient_audit_prefix(mrn);
    let mut keys = Vec::new();
    let legacy_after = match after {
        Some(Cursor::Legacy(name)) => Some(name.as_str()),
        _ => {
            let start = match after {
                Some(Cursor::Recent(name)) => Some(format!("{prefix}{name}")),
                _ => None,
            };
            let max = i32::try_from(limit).unwrap_or(1000);
            keys = store.list_keys_page(&prefix, start.as_deref(), max).await?;
            if keys.len() >= limit {
                let next = keys
                    .last()
                    .and_then(|k| k.strip_prefix(&prefix))
                    .map(|name| Cursor::Recent(name.to_string()));
                return Ok(HistoryPage {
                    events: read_all(store, &keys).await?,
                    next,
                });
            }
            None
        }
    };
    // The newest-first keys are exhausted: the rest of the page comes from the older events.
    let old_prefix = legacy_prefix(mrn);
    let mut old = store.list_keys(&old_prefix).await?;
    old.sort_unstable_by(|a, b| b.cmp(a));
    if let Some(name) = legacy_after {
        let start = format!("{old_prefix}{name}");
        old.retain(|k| *k < start);
    }
    let room = limit - keys.len();
    let more = old.len() > room;
    old.truncate(room);
    let next = more
        .then(|| old.last().and_then(|k| k.strip_prefix(&old_prefix)))
        .flatten()
        .map(|name| Cursor::Legacy(name.to_string()));
    keys.extend(old);
    Ok(HistoryPage {
        events: read_all(store, &keys).await?,
        next,
    })
}

/// Reads the events in key order, a few at a time (a page holds up to 1000).
async fn read_all(store: &ObjectStore, keys: &[String]) -> Result<Vec<AuditEvent>, StoreError> {
    // Owned keys: a future borrowing the slice's items trips axum's `Send` proof (HRTB).
    let found: Vec<_> = futures_util::stream::iter(keys.to_vec())
        .map(|k| async move { store.get_json::<AuditEvent>(&k).await })
        .buffered(READS_AT_ONCE)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().map(|v| v.value).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mrn() -> Mrn {
        Mrn::from_stored("10000001").unwrap()
    }

    #[test]
    fn a_later_event_sorts_before_an_earlier_one_whatever_its_id() {
        let early = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let late = early + time::Duration::milliseconds(1);
        let high = Uuid::parse_str("ffffffff-ffff-7fff-bfff-000000000001").unwrap();
        let low = Uuid::nil();
        assert!(patient_key(&mrn(), late, low) < patient_key(&mrn(), early, high));
    }

    #[test]
    fn keys_are_fixed_width_under_the_patient() {
        let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        assert_eq!(
            patient_key(&mrn(), at, Uuid::nil()),
            "audit/by-patient/10000001/8209999999999-00000000-0000-0000-0000-000000000000.json"
        );
    }

    #[test]
    fn cursors_round_trip_and_nothing_else_is_taken() {
        for c in [
            Cursor::Recent("8209999999999-00000000-0000-0000-0000-000000000000.json".into()),
            Cursor::Legacy("00000000-0000-0000-0000-000000000000.json".into()),
        ] {
            assert_eq!(Cursor::parse(&c.as_text()), Some(c));
        }
        for bad in [
            "",
            "../x.json",
            "123-abc.json",
            "legacy/x.json",
            "8209999999999-x",
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
