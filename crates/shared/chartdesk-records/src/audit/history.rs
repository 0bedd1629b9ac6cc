//! One patient's events, newest first, a page at a time.
//!
//! S3 lists keys in ascending lexical order only, and a listing cannot be sorted by anything
//! else without reading all of it. So the per-patient copy is keyed by an INVERTED timestamp of
//! the recorded time (`9999999999999 - unix milliseconds`, 13 digits) and the server's UUIDv7:
//! ascending key order is then newest first, the first page is the newest N events, and the
//! next page starts after the last key shown (`StartAfter`).
//!
//! The time of a view a desktop made offline and reported later is the desktop's word (up to
//! a few minutes ahead of the server's clock). Such events are kept under a prefix of their
//! own, listed only after every event the server witnessed itself: however many are reported,
//! and whatever time they claim, they can never push what the server recorded off a page.
//! Events stored before this scheme sit under `audit/patients/{mrn}/{event_id}.json` and come
//! last, in key order: a bounded, no-longer-growing set. One cursor pages through the chain.

use futures_util::{StreamExt, TryStreamExt};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::object_store::StoreError;
use crate::store::RecordStore;
use chartdesk_domain::{AuditEvent, Mrn};

/// How many event reads run at once for one page.
const READS_AT_ONCE: usize = 16;
const NEWEST_FIRST_BASE: i128 = 9_999_999_999_999;
/// S3 hands out at most this many keys a listing.
const MAX_PAGE: usize = 1000;

/// Where one patient's events are kept, in the order the history shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Recorded by the server as they happened (`audit/by-patient/`).
    Witnessed,
    /// Reported later from a desktop's offline copy (`audit/by-patient-offline/`).
    ReportedOffline,
    /// Stored before events were keyed newest first (`audit/patients/`).
    Legacy,
}

impl Section {
    const CHAIN: [Section; 3] = [
        Section::Witnessed,
        Section::ReportedOffline,
        Section::Legacy,
    ];

    fn prefix(self, mrn: &Mrn) -> String {
        match self {
            Section::Witnessed => patient_audit_prefix(mrn),
            Section::ReportedOffline => format!("audit/by-patient-offline/{mrn}/"),
            Section::Legacy => format!("audit/patients/{mrn}/"),
        }
    }

    /// What a cursor into this section starts with.
    fn mark(self) -> &'static str {
        match self {
            Section::Witnessed => "",
            Section::ReportedOffline => "offline/",
            Section::Legacy => "legacy/",
        }
    }
}

/// `audit/by-patient/{mrn}/`: the events the server witnessed, newest first.
pub fn patient_audit_prefix(mrn: &Mrn) -> String {
    format!("audit/by-patient/{mrn}/")
}

/// `audit/by-patient/{mrn}/{inverted millis}-{event_id}.json`: an event the server witnessed.
pub fn patient_key(mrn: &Mrn, at: OffsetDateTime, event_id: Uuid) -> String {
    newest_first_key(Section::Witnessed, mrn, at, event_id)
}

/// `audit/by-patient-offline/{mrn}/{inverted millis}-{event_id}.json`: a view reported later.
pub fn offline_patient_key(mrn: &Mrn, at: OffsetDateTime, event_id: Uuid) -> String {
    newest_first_key(Section::ReportedOffline, mrn, at, event_id)
}

/// The per-patient key of `event`: a desktop's later report (`reported_at` set) goes to the
/// offline section, whatever time it claims.
pub fn patient_copy_key(mrn: &Mrn, at: OffsetDateTime, event: &AuditEvent) -> String {
    match event.reported_at {
        Some(_) => offline_patient_key(mrn, at, event.event_id),
        None => patient_key(mrn, at, event.event_id),
    }
}

fn newest_first_key(section: Section, mrn: &Mrn, at: OffsetDateTime, event_id: Uuid) -> String {
    format!(
        "{}{}-{event_id}.json",
        section.prefix(mrn),
        inverted_millis(at)
    )
}

/// `at` as 13 digits that sort the later time first (`9999999999999 - unix milliseconds`).
pub(super) fn inverted_millis(at: OffsetDateTime) -> String {
    let millis = (at.unix_timestamp_nanos() / 1_000_000).clamp(0, NEWEST_FIRST_BASE);
    format!("{:013}", NEWEST_FIRST_BASE - millis)
}

/// Where a page of the history starts: after a key of one section. Handed to the client as an
/// opaque string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    section: Section,
    /// The key's name within its section's prefix.
    name: String,
}

impl Cursor {
    /// A cursor a client sent back; `None` when it is not one this server made.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (section, name) = Section::CHAIN
            .iter()
            .rev()
            .find_map(|s| Some((*s, text.strip_prefix(s.mark())?)))?;
        let stem = name.strip_suffix(".json")?;
        let ok = match section {
            Section::Legacy => Uuid::parse_str(stem).is_ok(),
            _ => stem.split_once('-').is_some_and(|(millis, id)| {
                millis.len() == 13
                    && millis.bytes().all(|b| b.is_ascii_digit())
                    && Uuid::parse_str(id).is_ok()
            }),
        };
        ok.then(|| Cursor {
            section,
            name: name.to_string(),
        })
    }

    pub fn as_text(&self) -> String {
        format!("{}{}", self.section.mark(), self.name)
    }
}

/// One page of a patient's history, newest first, and where the next one starts.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub events: Vec<AuditEvent>,
    pub next: Option<Cursor>,
}

/// Up to `limit` (at most 1000) events of one patient after `after` (from the start if none):
/// witnessed newest first, then reported offline newest first, then the legacy ones. Each
/// section is listed a page at a time, never whole.
pub async fn history(
    store: &dyn RecordStore,
    mrn: &Mrn,
    limit: usize,
    after: Option<&Cursor>,
) -> Result<HistoryPage, StoreError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let (first, mut start) = match after {
        Some(c) => (c.section, Some(c.name.as_str())),
        None => (Section::Witnessed, None),
    };
    let mut keys: Vec<String> = Vec::new();
    let mut next = None;
    for section in Section::CHAIN.into_iter().skip_while(|s| *s != first) {
        let prefix = section.prefix(mrn);
        let room = limit - keys.len();
        let start_after = start.take().map(|name| format!("{prefix}{name}"));
        let max = i32::try_from(room).unwrap_or(1000);
        let mut found = store
            .list_keys_page(&prefix, start_after.as_deref(), max)
            .await?;
        found.truncate(room);
        // A full listing may have more behind it: the next page starts after its last key.
        let full = found.len() == room;
        if full {
            next = found
                .last()
                .and_then(|k| k.strip_prefix(&prefix))
                .map(|name| Cursor {
                    section,
                    name: name.to_string(),
                });
        }
        keys.extend(found);
        if full {
            break;
        }
    }
    Ok(HistoryPage {
        events: read_all(store, &keys).await?,
        next,
    })
}

/// Reads the events in key order, a few at a time (a page holds up to 1000).
pub(super) async fn read_all(
    store: &dyn RecordStore,
    keys: &[String],
) -> Result<Vec<AuditEvent>, StoreError> {
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
    fn a_view_reported_later_is_kept_apart_from_what_the_server_witnessed() {
        let at = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
        let (_, mut event) = super::super::event(
            at,
            "dr.okafor",
            super::super::AuditAction::View,
            &mrn(),
            None,
        );
        assert_eq!(
            patient_copy_key(&mrn(), at, &event),
            patient_key(&mrn(), at, event.event_id)
        );
        event.reported_at = Some("2026-09-21T12:00:00Z".into());
        let key = patient_copy_key(&mrn(), at, &event);
        assert!(
            key.starts_with("audit/by-patient-offline/10000001/8209999999999-"),
            "{key}"
        );
        assert!(!key.starts_with(&patient_audit_prefix(&mrn())));
    }

    #[test]
    fn cursors_round_trip_and_nothing_else_is_taken() {
        let recent = "8209999999999-00000000-0000-0000-0000-000000000000.json";
        for (section, name) in [
            (Section::Witnessed, recent),
            (Section::ReportedOffline, recent),
            (Section::Legacy, "00000000-0000-0000-0000-000000000000.json"),
        ] {
            let c = Cursor {
                section,
                name: name.into(),
            };
            assert_eq!(Cursor::parse(&c.as_text()), Some(c));
        }
        for bad in [
            "",
            "../x.json",
            "123-abc.json",
            "legacy/x.json",
            "offline/x.json",
            "offline/00000000-0000-0000-0000-000000000000.json",
            "8209999999999-x",
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
