//! The `date` search parameter: `ge`/`le` (and `gt`/`lt`) a day (`2026-03-01`, the whole UK
//! day taken as UTC) or an instant (RFC 3339), repeated to give a range.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

/// The instants a set of `date` values allows: from `from` (inclusive) until `until`
/// (exclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

impl DateRange {
    /// From every `date` value sent; `None` if one cannot be read.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut range = Self::default();
        for value in values {
            let (prefix, rest) = value.split_at(value.len().min(2));
            let (start, end) = span(rest)?;
            match prefix {
                "ge" => range.from = Some(range.from.map_or(start, |f| f.max(start))),
                "gt" => range.from = Some(range.from.map_or(end, |f| f.max(end))),
                "le" => range.until = Some(range.until.map_or(end, |u| u.min(end))),
                "lt" => range.until = Some(range.until.map_or(start, |u| u.min(start))),
                _ => return None,
            }
        }
        Some(range)
    }

    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.from.is_none_or(|f| at >= f) && self.until.is_none_or(|u| at < u)
    }
}

/// The instants a value names: a whole day, or one instant.
fn span(value: &str) -> Option<(OffsetDateTime, OffsetDateTime)> {
    if let Ok(at) = OffsetDateTime::parse(value, &Rfc3339) {
        return Some((at, at + Duration::nanoseconds(1)));
    }
    let day = Date::parse(value, format_description!("[year]-[month]-[day]")).ok()?;
    let start = day.midnight().assume_utc();
    Some((start, start + Duration::days(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_date_range_holds_whole_days_at_both_ends() {
        let range = DateRange::parse(["ge2026-03-01", "le2026-03-02"]).unwrap();
        assert!(range.contains(datetime!(2026-03-01 00:00 UTC)));
        assert!(range.contains(datetime!(2026-03-02 23:59 UTC)));
        assert!(!range.contains(datetime!(2026-03-03 00:00 UTC)));
        assert!(!range.contains(datetime!(2026-02-28 23:59 UTC)));
        assert_eq!(DateRange::parse(["2026-03-01"]), None);
        assert_eq!(DateRange::parse(["ge03/01/2026"]), None);
    }
}
