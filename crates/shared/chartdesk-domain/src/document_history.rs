//! What left a category's current list: replaced and detached documents (kept, still
//! openable) and the tombstones deleted documents leave. Nothing disappears silently.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ts_rs::TS;
use uuid::Uuid;

use crate::document_rows::{row, DocumentRow, RowPermissions};
use crate::{Category, DocumentEntry, DocumentStatus, Manifest};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryStatus {
    Replaced,
    Detached,
    Deleted,
}

/// One row of the "Replaced and detached" section of a category list: the document as the
/// list shows it (a tombstone's has no file name and cannot be opened), and what happened.
#[derive(Debug, Clone, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct HistoryRow {
    #[serde(flatten)]
    pub row: DocumentRow,
    pub status: HistoryStatus,
    /// What the row says: "Replaced 04-Dec-2026", "Detached by admin.byrne on 05-Dec-2026",
    /// "Deleted by admin.byrne on 05-Dec-2026: Filed to the wrong patient".
    pub label: String,
}

/// `category`'s replaced, detached and deleted documents, most recently changed first.
pub fn history_rows(manifest: &Manifest, category: Category) -> Vec<HistoryRow> {
    let mut entries: Vec<&DocumentEntry> = manifest
        .entries()
        .filter(|d| d.category == category && d.status != DocumentStatus::Attached)
        .collect();
    let changed = |d: &DocumentEntry| d.status_change.as_ref().map_or(d.created, |c| c.at);
    entries.sort_by(|a, b| changed(b).cmp(&changed(a)).then(b.id.cmp(&a.id)));
    entries.into_iter().filter_map(history_row).collect()
}

/// A replaced or detached entry with this id: openable from the history list.
pub fn find_in_history(manifest: &Manifest, id: Uuid) -> Option<&DocumentEntry> {
    manifest.entries().find(|d| d.id == id && d.is_history())
}

fn history_row(d: &DocumentEntry) -> Option<HistoryRow> {
    let status = match d.status {
        DocumentStatus::Attached => return None,
        DocumentStatus::Replaced => HistoryStatus::Replaced,
        DocumentStatus::Detached => HistoryStatus::Detached,
        DocumentStatus::Deleted => HistoryStatus::Deleted,
    };
    // Read-only: no stamp, no removal, no thumbnail (the section lists names and dates).
    let mut row = row(d, RowPermissions::default());
    row.can_open &= status != HistoryStatus::Deleted;
    row.has_thumbnail = false;
    Some(HistoryRow {
        row,
        status,
        label: label(d, status),
    })
}

fn day(at: OffsetDateTime) -> String {
    at.format(time::macros::format_description!(
        "[day]-[month repr:short]-[year]"
    ))
    .unwrap_or_default()
}

fn label(d: &DocumentEntry, status: HistoryStatus) -> String {
    let verb = match status {
        HistoryStatus::Replaced => "Replaced",
        HistoryStatus::Detached => "Detached",
        HistoryStatus::Deleted => "Deleted",
    };
    // Entries retired before changes were recorded say only what happened.
    let Some(change) = &d.status_change else {
        return verb.to_string();
    };
    let mut text = match status {
        HistoryStatus::Replaced => format!("{verb} {}", day(change.at)),
        _ => format!("{verb} by {} on {}", change.by, day(change.at)),
    };
    if let Some(reason) = &change.reason {
        text.push_str(": ");
        text.push_str(reason);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ScanStatus;

    fn entry(day: i64, status: DocumentStatus) -> DocumentEntry {
        DocumentEntry {
            id: Uuid::now_v7(),
            category: Category::Preop,
            file_name: format!("day-{day}.jpg"),
            content_type: "image/jpeg".into(),
            size: 10,
            sha256: String::new(),
            created: OffsetDateTime::UNIX_EPOCH + time::Duration::days(day),
            uploaded_by: "nurse.hughes".into(),
            variants: vec![],
            stamp: None,
            status,
            scan_status: ScanStatus::Clean,
            status_change: None,
            processing: None,
        }
    }

    #[test]
    fn history_lists_replaced_detached_and_tombstones_but_opens_only_the_kept_ones() {
        let at = time::macros::datetime!(2026-12-05 10:00 UTC);
        let mut m = Manifest::new();
        m.add(entry(1, DocumentStatus::Attached));
        let mut replaced = entry(2, DocumentStatus::Attached);
        replaced.retire(DocumentStatus::Replaced, "nurse.hughes", at, None);
        let mut deleted = entry(3, DocumentStatus::Attached);
        deleted.retire(
            DocumentStatus::Deleted,
            "admin.byrne",
            at + time::Duration::hours(1),
            Some("Wrong patient".into()),
        );
        let (replaced_id, deleted_id) = (replaced.id, deleted.id);
        m.documents.extend([replaced, deleted].map(Into::into));
        let rows = history_rows(&m, Category::Preop);
        let labels: Vec<_> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Deleted by admin.byrne on 05-Dec-2026: Wrong patient",
                "Replaced 05-Dec-2026"
            ]
        );
        assert_eq!(
            rows.iter().map(|r| r.row.can_open).collect::<Vec<_>>(),
            [false, true]
        );
        assert!(find_in_history(&m, replaced_id).is_some());
        assert!(find_in_history(&m, deleted_id).is_none(), "never opened");
        assert!(history_rows(&m, Category::Lab).is_empty());
    }
}
