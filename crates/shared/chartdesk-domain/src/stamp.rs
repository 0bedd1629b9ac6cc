//! Stamps: clinicians mark lab reports *verified* and radiology reports *reviewed*.
//! A stamp is never overwritten, and other categories cannot be stamped.

use time::OffsetDateTime;

use super::{Category, DocumentEntry, Stamp};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StampError {
    #[error("{0} documents cannot be stamped; only lab and radiology reports can")]
    NotStampable(&'static str),
    #[error("This document was already {label} by {by}; a stamp is never replaced")]
    AlreadyStamped { label: String, by: String },
}

/// The stamp a category takes, if any.
pub fn stamp_label(category: Category) -> Option<&'static str> {
    match category {
        Category::Lab => Some("verified"),
        Category::Radiology => Some("reviewed"),
        _ => None,
    }
}

/// Stamps `entry` unless it is not stampable or already stamped.
pub fn apply_stamp(
    entry: &mut DocumentEntry,
    by: &str,
    at: OffsetDateTime,
) -> Result<(), StampError> {
    let label =
        stamp_label(entry.category).ok_or(StampError::NotStampable(entry.category.label()))?;
    if let Some(existing) = &entry.stamp {
        return Err(StampError::AlreadyStamped {
            label: existing.label.clone(),
            by: existing.by.clone(),
        });
    }
    entry.stamp = Some(Stamp {
        label: label.to_string(),
        by: by.to_string(),
        at,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocumentStatus, ScanStatus};
    use uuid::Uuid;

    fn entry(category: Category) -> DocumentEntry {
        DocumentEntry {
            id: Uuid::nil(),
            category,
            file_name: "r.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1,
            sha256: String::new(),
            created: OffsetDateTime::UNIX_EPOCH,
            uploaded_by: "n".into(),
            variants: vec![],
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Clean,
            status_change: None,
            processing: None,
        }
    }

    #[test]
    fn lab_is_verified_and_radiology_reviewed() {
        let mut lab = entry(Category::Lab);
        apply_stamp(&mut lab, "dr.okafor", OffsetDateTime::UNIX_EPOCH).unwrap();
        assert_eq!(lab.stamp.unwrap().label, "verified");
        let mut rad = entry(Category::Radiology);
        apply_stamp(&mut rad, "dr.okafor", OffsetDateTime::UNIX_EPOCH).unwrap();
        assert_eq!(rad.stamp.unwrap().label, "reviewed");
    }

    #[test]
    fn a_stamp_is_never_overwritten() {
        let mut lab = entry(Category::Lab);
        apply_stamp(&mut lab, "dr.a", OffsetDateTime::UNIX_EPOCH).unwrap();
        let err = apply_stamp(&mut lab, "dr.b", OffsetDateTime::UNIX_EPOCH).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This document was already verified by dr.a; a stamp is never replaced"
        );
        assert_eq!(lab.stamp.unwrap().by, "dr.a");
    }

    #[test]
    fn other_categories_cannot_be_stamped() {
        for c in [
            Category::Preop,
            Category::Intraop,
            Category::OtNotes,
            Category::Postop,
            Category::Discharge,
        ] {
            assert!(
                apply_stamp(&mut entry(c), "dr", OffsetDateTime::UNIX_EPOCH).is_err(),
                "{c:?}"
            );
        }
    }
}
