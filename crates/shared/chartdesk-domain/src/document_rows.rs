//! A category's document list as the category view shows it, and the rules for opening one.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use ts_rs::TS;
use uuid::Uuid;

use crate::{stamp_label, Category, DocumentEntry, DocumentStatus, Manifest, ScanStatus};

/// One row of the category view (no clinical content: metadata only).
#[derive(Debug, Clone, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct DocumentRow {
    pub id: String,
    pub category: Category,
    /// "OT notes", as the tiles say it.
    pub category_label: String,
    pub file_name: String,
    pub content_type: String,
    #[ts(type = "number")]
    pub size: u64,
    /// RFC 3339.
    pub created: String,
    pub uploaded_by: String,
    /// e.g. "verified by dr.okafor", when stamped.
    pub stamp: Option<String>,
    pub scan_status: ScanStatus,
    /// False when the scanner flagged the file: it is listed but cannot be opened.
    pub can_open: bool,
    /// The stamp button's words ("Verify", "Mark reviewed") when this user may stamp it now.
    pub stamp_action: Option<String>,
    /// Whether this user may detach or delete it (records admins).
    pub can_remove: bool,
    /// Whether a 320 px thumbnail exists (images); otherwise the list shows a type icon.
    pub has_thumbnail: bool,
    /// Whether a 1600 px JPEG rendition exists (images): the viewer opens it first, quick to
    /// fetch and shown by every web view (a TIFF scan too), with *View original* beside it.
    pub has_optimized: bool,
    /// Why it is not ready or cannot be opened ("Checking for viruses…", "Processing failed: …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status_note: Option<String>,
    /// "Same file as lab-report-2.pdf, added 03-Dec-2026": flagged, never removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub duplicate_note: Option<String>,
    /// Pages in the document once the server counted them (a TIFF's pages each have a preview).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pages: Option<u32>,
    /// For a search: where the words were found ("Found in the file name", "Found on page 3").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub found_in: Option<String>,
}

/// What the viewing user may do to the rows (decided by the core from their roles).
#[derive(Debug, Clone, Copy, Default)]
pub struct RowPermissions {
    pub stamp: bool,
    pub remove: bool,
}

/// Attached documents of `category`, newest first; `may` is what the viewer may do.
pub fn rows_for(manifest: &Manifest, category: Category, may: RowPermissions) -> Vec<DocumentRow> {
    newest_first(manifest, may, |d| d.category == category)
}

/// Attached documents of every category whose file name, category or uploader contains
/// `text` (case-insensitive), newest first: the patient-wide search.
pub fn rows_matching(manifest: &Manifest, text: &str, may: RowPermissions) -> Vec<DocumentRow> {
    let needle = text.trim().to_lowercase();
    newest_first(manifest, may, |d| {
        [d.file_name.as_str(), d.category.label(), &d.uploaded_by]
            .iter()
            .any(|field| field.to_lowercase().contains(&needle))
    })
}

fn newest_first(
    manifest: &Manifest,
    may: RowPermissions,
    wanted: impl Fn(&DocumentEntry) -> bool,
) -> Vec<DocumentRow> {
    let mut entries: Vec<&DocumentEntry> = manifest
        .entries()
        .filter(|d| d.status == DocumentStatus::Attached && wanted(d))
        .collect();
    entries.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    entries.into_iter().map(|d| row(d, may)).collect()
}

pub(crate) fn row(d: &DocumentEntry, may: RowPermissions) -> DocumentRow {
    let stamp_action = match stamp_label(d.category) {
        Some("verified") if may.stamp && d.stamp.is_none() => Some("Verify".to_string()),
        Some(_) if may.stamp && d.stamp.is_none() => Some("Mark reviewed".to_string()),
        _ => None,
    };
    DocumentRow {
        id: d.id.to_string(),
        category: d.category,
        category_label: d.category.label().to_string(),
        // Names stored before the rule existed are shown by it too; a deletion's tombstone
        // keeps no name (it may have named another patient).
        file_name: if d.file_name.is_empty() {
            String::new()
        } else {
            crate::typed_name(&d.file_name, &d.content_type)
        },
        content_type: d.content_type.clone(),
        size: d.size,
        created: d.created.format(&Rfc3339).unwrap_or_default(),
        uploaded_by: d.uploaded_by.clone(),
        stamp: d.stamp.as_ref().map(|s| format!("{} by {}", s.label, s.by)),
        scan_status: d.scan_status,
        can_open: crate::may_serve(d),
        stamp_action,
        can_remove: may.remove,
        has_thumbnail: d.variants.iter().any(|k| k.contains("/thumb/")),
        has_optimized: d.variants.iter().any(|k| k.contains("/optimized/")),
        status_note: crate::status_note(d),
        duplicate_note: d
            .processing
            .as_ref()
            .and_then(|p| p.duplicate.as_ref())
            .map(crate::duplicate_note),
        pages: d.processing.as_ref().and_then(|p| p.pages),
        found_in: None,
    }
}

/// Row for one document (after a change such as a stamp).
pub fn row_for(manifest: &Manifest, id: Uuid, may: RowPermissions) -> Option<DocumentRow> {
    find_entry(manifest, id).map(|d| row(d, may))
}

/// The attached entry with this id, if any.
pub fn find_entry(manifest: &Manifest, id: Uuid) -> Option<&DocumentEntry> {
    manifest
        .entries()
        .find(|d| d.id == id && d.status == DocumentStatus::Attached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn entry(
        category: Category,
        day: i64,
        status: DocumentStatus,
        scan: ScanStatus,
    ) -> DocumentEntry {
        DocumentEntry {
            id: Uuid::now_v7(),
            category,
            file_name: format!("day-{day}.pdf"),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: String::new(),
            created: OffsetDateTime::UNIX_EPOCH + time::Duration::days(day),
            uploaded_by: "nurse.hughes".into(),
            variants: vec![],
            stamp: None,
            status,
            scan_status: scan,
            status_change: None,
            processing: None,
        }
    }

    #[test]
    fn rows_are_the_categorys_attached_documents_newest_first() {
        let mut m = Manifest::new();
        m.add(entry(
            Category::Lab,
            1,
            DocumentStatus::Attached,
            ScanStatus::Clean,
        ));
        m.add(entry(
            Category::Lab,
            3,
            DocumentStatus::Attached,
            ScanStatus::Clean,
        ));
        m.add(entry(
            Category::Lab,
            2,
            DocumentStatus::Detached,
            ScanStatus::Clean,
        ));
        m.add(entry(
            Category::Preop,
            4,
            DocumentStatus::Attached,
            ScanStatus::Clean,
        ));
        let names: Vec<_> = rows_for(&m, Category::Lab, RowPermissions::default())
            .into_iter()
            .map(|r| r.file_name)
            .collect();
        assert_eq!(names, ["day-3.pdf", "day-1.pdf"]);
    }

    #[test]
    fn an_infected_file_is_listed_but_cannot_be_opened() {
        let mut m = Manifest::new();
        m.add(entry(
            Category::Lab,
            1,
            DocumentStatus::Attached,
            ScanStatus::Infected,
        ));
        let rows = rows_for(&m, Category::Lab, RowPermissions::default());
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].can_open);
    }
}
