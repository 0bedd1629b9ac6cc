//! Preop holds at most 3 attached images. A 4th is refused unless the user chose
//! *replace oldest*: then the oldest is marked replaced (its files kept) in the same change.

use uuid::Uuid;

use super::{Category, DocumentEntry, DocumentStatus, Manifest};

pub const PREOP_IMAGE_LIMIT: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachError {
    #[error(
        "Preop already holds {} images — replace the oldest?",
        PREOP_IMAGE_LIMIT
    )]
    PreopFull,
    #[error("This document is already in the record")]
    AlreadyAttached,
}

/// What an attach did beside adding the entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attached {
    /// The preop images it marked replaced (each must be named in the audit trail).
    pub replaced: Vec<Uuid>,
}

/// Adds `entry` to the manifest under the preop rule. Idempotent by document id (a deleted
/// document's tombstone keeps its id taken). A refusal changes nothing.
pub fn attach(
    manifest: &mut Manifest,
    entry: DocumentEntry,
    replace_oldest: bool,
) -> Result<Attached, AttachError> {
    let surplus = would_replace(manifest, &entry, replace_oldest)?;
    Ok(apply(manifest, entry, &surplus))
}

/// As `attach`, but only when it would replace exactly `expected` (the images audited before
/// the change); otherwise `None`, and nothing changes. Judged before anything is changed, so a
/// caller needs no copy of the manifest to undo a refused attach (a long record's copy is
/// O(its entries)).
pub fn attach_replacing(
    manifest: &mut Manifest,
    entry: DocumentEntry,
    replace_oldest: bool,
    expected: &[Uuid],
) -> Result<Option<Attached>, AttachError> {
    let surplus = would_replace(manifest, &entry, replace_oldest)?;
    let replaced = surplus.iter().map(|&i| manifest.documents[i].id);
    if !replaced.eq(expected.iter().copied()) {
        return Ok(None);
    }
    Ok(Some(apply(manifest, entry, &surplus)))
}

/// The places of the preop images attaching `entry` would mark replaced, oldest first; or why
/// it may not be attached.
fn would_replace(
    manifest: &Manifest,
    entry: &DocumentEntry,
    replace_oldest: bool,
) -> Result<Vec<usize>, AttachError> {
    if manifest.documents.iter().any(|d| d.id == entry.id) {
        return Err(AttachError::AlreadyAttached);
    }
    let is_preop_image = |d: &DocumentEntry| {
        d.category == Category::Preop
            && d.content_type.starts_with("image/")
            && d.status == DocumentStatus::Attached
    };
    if !is_preop_image(entry) {
        return Ok(Vec::new());
    }
    let mut attached: Vec<usize> = (0..manifest.documents.len())
        .filter(|&i| is_preop_image(&manifest.documents[i]))
        .collect();
    if attached.len() < PREOP_IMAGE_LIMIT {
        return Ok(Vec::new());
    }
    if !replace_oldest {
        return Err(AttachError::PreopFull);
    }
    attached.sort_by_key(|&i| (manifest.documents[i].created, manifest.documents[i].id));
    let surplus = attached.len() + 1 - PREOP_IMAGE_LIMIT;
    attached.truncate(surplus);
    Ok(attached)
}

fn apply(manifest: &mut Manifest, entry: DocumentEntry, surplus: &[usize]) -> Attached {
    let mut done = Attached::default();
    for &i in surplus {
        let old = &mut manifest.documents[i];
        old.retire(
            DocumentStatus::Replaced,
            &entry.uploaded_by,
            entry.created,
            None,
        );
        done.replaced.push(old.id);
    }
    manifest.add(entry);
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ScanStatus;
    use time::OffsetDateTime;
    use uuid::Uuid;

    fn image(day: i64) -> DocumentEntry {
        DocumentEntry {
            id: Uuid::now_v7(),
            category: Category::Preop,
            file_name: format!("day{day}.jpg"),
            content_type: "image/jpeg".into(),
            size: 1,
            sha256: String::new(),
            created: OffsetDateTime::UNIX_EPOCH + time::Duration::days(day),
            uploaded_by: "n".into(),
            variants: vec![],
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Pending,
            status_change: None,
            processing: None,
        }
    }

    fn attached_preop(m: &Manifest) -> Vec<String> {
        m.documents
            .iter()
            .filter(|d| d.status == DocumentStatus::Attached)
            .map(|d| d.file_name.clone())
            .collect()
    }

    #[test]
    fn a_fourth_preop_image_is_refused_without_replace_oldest() {
        let mut m = Manifest::new();
        for day in 1..=3 {
            attach(&mut m, image(day), false).unwrap();
        }
        assert_eq!(attach(&mut m, image(4), false), Err(AttachError::PreopFull));
        assert_eq!(attached_preop(&m).len(), 3);
    }

    #[test]
    fn replace_oldest_marks_the_oldest_replaced_and_keeps_three() {
        let mut m = Manifest::new();
        for day in [2, 1, 3] {
            attach(&mut m, image(day), false).unwrap();
        }
        let fourth = image(4);
        let done = attach(&mut m, fourth.clone(), true).unwrap();
        assert_eq!(attached_preop(&m), ["day2.jpg", "day3.jpg", "day4.jpg"]);
        let replaced: Vec<_> = m
            .documents
            .iter()
            .filter(|d| d.status == DocumentStatus::Replaced)
            .collect();
        assert_eq!(replaced[0].file_name, "day1.jpg", "kept, marked replaced");
        assert_eq!(
            done.replaced,
            [replaced[0].id],
            "the replaced image is named"
        );
        let change = replaced[0].status_change.as_ref().unwrap();
        assert_eq!((change.by.as_str(), change.at), ("n", fourth.created));
    }

    #[test]
    fn preop_pdfs_and_other_categories_are_not_limited() {
        let mut m = Manifest::new();
        for day in 1..=3 {
            attach(&mut m, image(day), false).unwrap();
        }
        let mut pdf = image(5);
        pdf.content_type = "application/pdf".into();
        attach(&mut m, pdf, false).unwrap();
        let mut lab = image(6);
        lab.category = Category::Lab;
        attach(&mut m, lab, false).unwrap();
    }

    #[test]
    fn attaching_the_same_document_twice_is_refused() {
        let mut m = Manifest::new();
        let one = image(1);
        attach(&mut m, one.clone(), false).unwrap();
        assert_eq!(
            attach(&mut m, one, false),
            Err(AttachError::AlreadyAttached)
        );
    }

    #[test]
    fn an_attach_that_would_replace_other_images_than_those_audited_changes_nothing() {
        let mut m = Manifest::new();
        for day in 1..=3 {
            attach(&mut m, image(day), false).unwrap();
        }
        let oldest = m.documents[0].id;
        let before = m.clone();
        // Audited as replacing the second image, but the oldest is the one it would replace.
        let audited = [m.documents[1].id];
        assert_eq!(attach_replacing(&mut m, image(4), true, &audited), Ok(None));
        assert_eq!(m, before);
        let done = attach_replacing(&mut m, image(4), true, &[oldest]).unwrap();
        assert_eq!(done.map(|d| d.replaced), Some(vec![oldest]));
        assert_eq!(attached_preop(&m), ["day2.jpg", "day3.jpg", "day4.jpg"]);
    }
}
