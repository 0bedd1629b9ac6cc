//! What the patient screen shows: the banner and the seven tiles. Shared by the UI and the CLI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{stamp_label, Category, DocumentStatus, Manifest, Patient};

#[derive(Debug, Clone, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct PatientSummary {
    pub banner: PatientBanner,
    pub tiles: Vec<Tile>,
    /// Whether this user may add documents (the UI shows the upload controls).
    pub can_upload: bool,
    /// Whether this user may see who accessed the record (records admins).
    #[serde(default)]
    pub can_view_history: bool,
    /// Whether this user may export documents (clinicians and records admins).
    #[serde(default)]
    pub can_export: bool,
    /// Whether this user may export the whole record for another system (FHIR bulk export:
    /// records admins).
    #[serde(default)]
    pub can_export_record: bool,
    /// Whether this desktop keeps the patient offline whatever the budget (never sent by the
    /// server: it is this computer's choice).
    #[serde(default)]
    pub pinned: bool,
    /// Set when this is the offline copy (RFC 3339 time it was last confirmed current).
    pub synced_at: Option<String>,
    /// The first blue tile's first rows as the find answered them, so the window draws that
    /// list without asking for it (the client fills it; the server sends `first_screen`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub first_rows: Option<FirstRows>,
}

/// A page of one category's rows, newest first (the find's first screen, or a page listed
/// later), and the cursor for the rest.
#[derive(Debug, Clone, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct FirstRows {
    pub category: Category,
    pub rows: Vec<crate::DocumentRow>,
    /// The category has more rows than these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct PatientBanner {
    pub mrn: String,
    /// `943 476 5919` form.
    pub nhs_number: String,
    /// `FAMILY, Given`, the NHS banner convention.
    pub display_name: String,
    /// ISO date.
    pub birth_date: String,
    /// Whole years today (the NHS banner shows the age beside the date of birth).
    #[serde(default)]
    pub age_years: u32,
    /// `Female`, `Male`, `Other` or `Not known`.
    #[serde(default)]
    pub gender: String,
    pub postcode: String,
    pub restricted: bool,
    pub superseded: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct Tile {
    pub category: Category,
    pub label: String,
    pub count: u32,
    /// Blue when true, grey when false: the rule lives here, not in the UI.
    pub has_documents: bool,
    /// What a screen reader announces, e.g. "Lab, 3 documents, 1 of 3 verified".
    pub accessible_name: String,
    /// For lab and radiology: e.g. "2 of 3 verified".
    pub stamp_summary: Option<String>,
}

impl PatientSummary {
    /// `today` comes from the caller's clock, so the age in the banner is testable.
    pub fn from_record(p: &Patient, manifest: &Manifest, today: time::Date) -> Self {
        let banner = PatientBanner {
            mrn: p.mrn.to_string(),
            nhs_number: p.nhs_number.display_form(),
            // No bidi override or zero-width character may make one patient read as another.
            display_name: crate::plain_text(&format!(
                "{}, {}",
                p.family_name.to_uppercase(),
                p.given_name
            )),
            birth_date: format!(
                "{:04}-{:02}-{:02}",
                p.birth_date.year(),
                u8::from(p.birth_date.month()),
                p.birth_date.day()
            ),
            age_years: age_on(p.birth_date, today),
            gender: p.gender.label().to_string(),
            postcode: p.postcode.clone(),
            restricted: p.flags.restricted,
            superseded: p.flags.superseded,
        };
        let tiles = manifest
            .attached_counts()
            .into_iter()
            .map(|(category, n)| {
                let mut tile = Tile::new(category, u32::try_from(n).unwrap_or(u32::MAX));
                if let Some(summary) = stamp_summary(manifest, category, n) {
                    tile.accessible_name = format!("{}, {summary}", tile.accessible_name);
                    tile.stamp_summary = Some(summary);
                }
                tile
            })
            .collect();
        Self {
            banner,
            tiles,
            can_upload: false,
            can_view_history: false,
            can_export: false,
            can_export_record: false,
            pinned: false,
            synced_at: None,
            first_rows: None,
        }
    }
}

impl Tile {
    pub fn new(category: Category, count: u32) -> Self {
        let noun = if count == 1 { "document" } else { "documents" };
        Self {
            category,
            label: category.label().to_string(),
            count,
            has_documents: count > 0,
            accessible_name: format!("{}, {count} {noun}", category.label()),
            stamp_summary: None,
        }
    }
}

fn stamp_summary(manifest: &Manifest, category: Category, attached: usize) -> Option<String> {
    let label = stamp_label(category)?;
    if attached == 0 {
        return None;
    }
    let stamped = manifest
        .documents
        .iter()
        .filter(|d| d.category == category && d.status == DocumentStatus::Attached)
        .filter(|d| d.stamp.is_some())
        .count();
    Some(format!("{stamped} of {attached} {label}"))
}

/// Whole years from `born` to `today` (0 for a date in the future).
pub fn age_on(born: time::Date, today: time::Date) -> u32 {
    let had_birthday = (today.month() as u8, today.day()) >= (born.month() as u8, born.day());
    let years = today.year() - born.year() - i32::from(!had_birthday);
    u32::try_from(years).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years_and_turns_on_the_birthday() {
        let d = |y, m, day| {
            time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), day).unwrap()
        };
        assert_eq!(age_on(d(1958, 3, 14), d(2026, 3, 13)), 67);
        assert_eq!(age_on(d(1958, 3, 14), d(2026, 3, 14)), 68);
        assert_eq!(age_on(d(2000, 2, 29), d(2026, 2, 28)), 25);
        assert_eq!(age_on(d(2030, 1, 1), d(2026, 1, 1)), 0);
    }

    fn summary(given: &str, family: &str, today: time::Date) -> PatientSummary {
        let patient: Patient = serde_json::from_value(serde_json::json!({
            "mrn": "10000001", "nhs_number": "9434765919", "given_name": given,
            "family_name": family, "birth_date": "1958-03-14", "postcode": "LS1 4AP",
        }))
        .unwrap();
        PatientSummary::from_record(&patient, &Manifest::new(), today)
    }

    #[test]
    fn the_banners_age_is_taken_on_the_day_the_callers_clock_gives() {
        let day = |d| time::Date::from_calendar_date(2026, time::Month::March, d).unwrap();
        assert_eq!(summary("Amara", "Whitfield", day(13)).banner.age_years, 67);
        assert_eq!(summary("Amara", "Whitfield", day(14)).banner.age_years, 68);
    }

    #[test]
    fn a_bidi_override_in_a_stored_name_never_reaches_the_banner() {
        let today = time::Date::from_calendar_date(2026, time::Month::March, 1).unwrap();
        let banner = summary("Amara\u{202E}", "Whit\u{200B}field", today).banner;
        assert_eq!(banner.display_name, "WHITFIELD, Amara");
    }

    #[test]
    fn tile_names_read_naturally_for_screen_readers() {
        assert_eq!(
            Tile::new(Category::Lab, 3).accessible_name,
            "Lab, 3 documents"
        );
        assert_eq!(
            Tile::new(Category::OtNotes, 1).accessible_name,
            "OT notes, 1 document"
        );
        let empty = Tile::new(Category::Postop, 0);
        assert_eq!(empty.accessible_name, "Postop, 0 documents");
        assert!(!empty.has_documents);
    }
}
