//! The patient's document index (`manifest.json`) and the tile counts derived from it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Category;
use crate::SharedEntry;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// Shared, not copied, between reads of a long record (`SharedEntry`).
    #[serde(default)]
    pub documents: Vec<SharedEntry>,
    /// A digest of the demographics as last registered: a change to the patient (a restriction,
    /// a merge, a corrected name) changes the manifest too, so the manifest's ETag alone is the
    /// whole record's version, polled with one conditional read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demographics: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentEntry {
    pub id: Uuid,
    pub category: Category,
    /// The user's file name: metadata only, never part of a key.
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub uploaded_by: String,
    #[serde(default)]
    pub variants: Vec<String>,
    #[serde(default)]
    pub stamp: Option<Stamp>,
    pub status: DocumentStatus,
    #[serde(default)]
    pub scan_status: ScanStatus,
    /// Set when the document left the current record (replaced, detached or deleted): who,
    /// when and why, so the history list can say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_change: Option<StatusChange>,
    /// What the server's worker found (ARCHITECTURE.md §9); None for entries from before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<crate::Processing>,
}

/// Who took a document out of the current record, when, and the reason they gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamp {
    pub label: String,
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Attached,
    Replaced,
    Detached,
    /// A tombstone: the files are gone, the entry stays so the history says who removed what,
    /// when and why. Never listed as current, never opened.
    Deleted,
}

/// What an upload says of a new document: the file as sent and who sent it, when.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    pub category: Category,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub by: &'a str,
    pub at: OffsetDateTime,
}

impl DocumentEntry {
    /// A document as a completed upload leaves it: attached, its verdict pending, waiting for
    /// the server's processing worker (ARCHITECTURE.md §9).
    pub fn queued(id: Uuid, sent: Sent<'_>) -> Self {
        Self {
            id,
            category: sent.category,
            file_name: sent.file_name.to_string(),
            content_type: sent.content_type.to_string(),
            size: sent.bytes.len() as u64,
            sha256: sha256_hex(sent.bytes),
            created: sent.at,
            uploaded_by: sent.by.to_string(),
            variants: Vec::new(),
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Pending,
            status_change: None,
            processing: Some(crate::Processing::queued()),
        }
    }

    /// Takes the document out of the current record as `status`, saying who, when and why.
    pub fn retire(
        &mut self,
        status: DocumentStatus,
        by: &str,
        at: OffsetDateTime,
        reason: Option<String>,
    ) {
        self.status = status;
        self.status_change = Some(StatusChange {
            by: by.to_string(),
            at,
            reason,
        });
        if status == DocumentStatus::Deleted {
            // A document is deleted mostly because it was filed to the wrong patient: its
            // name may name that other patient, and its files are gone. The tombstone keeps
            // the id, category, dates and checksum.
            self.file_name = String::new();
            self.variants.clear();
        }
    }

    /// Replaced or detached: out of the current record, files kept, still openable.
    pub fn is_history(&self) -> bool {
        matches!(
            self.status,
            DocumentStatus::Replaced | DocumentStatus::Detached
        )
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    #[default]
    Pending,
    Clean,
    Infected,
}

impl ScanStatus {
    /// The object tag a server-side scanner sets.
    pub const TAG: &'static str = "scan-status";

    pub fn from_tag(value: &str) -> Option<Self> {
        match value {
            "clean" => Some(Self::Clean),
            "infected" => Some(Self::Infected),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }
}

pub const MANIFEST_VERSION: u32 = 1;

/// The longest reason a records admin may give for deleting a document.
pub const MAX_DELETE_REASON_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeleteReasonError {
    #[error("Say why the document is deleted: the reason shows in the record's history")]
    Missing,
    #[error("Keep the reason for deleting under 500 characters")]
    TooLong,
}

/// The reason a delete must give (it stays on the tombstone): line breaks and runs of spaces
/// made one space, and, since the history shows it, no bidi or zero-width character.
pub fn delete_reason(text: &str) -> Result<String, DeleteReasonError> {
    let spaced = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = crate::plain_text(&spaced);
    let text = text.trim();
    if text.is_empty() {
        Err(DeleteReasonError::Missing)
    } else if text.chars().count() > MAX_DELETE_REASON_CHARS {
        Err(DeleteReasonError::TooLong)
    } else {
        Ok(text.to_string())
    }
}

/// The form a manifest entry's `sha256` takes: lower-case hex of the SHA-256 of the file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

impl Manifest {
    pub fn new() -> Self {
        Self {
            version: MANIFEST_VERSION,
            documents: Vec::new(),
            demographics: None,
        }
    }

    /// Appends an entry: entries are only ever added at the end (the newest last).
    pub fn add(&mut self, entry: DocumentEntry) {
        self.documents.push(entry.into());
    }

    /// The entries themselves, in the order they were added.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &DocumentEntry> + '_ {
        self.documents.iter().map(|d| &**d)
    }

    /// Attached documents per category, in tile order. Replaced and detached entries do not count.
    pub fn attached_counts(&self) -> [(Category, usize); 7] {
        Category::ALL.map(|c| {
            let n = self
                .documents
                .iter()
                .filter(|d| d.category == c && d.status == DocumentStatus::Attached)
                .count();
            (c, n)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// An attached, clean lab PDF.
    pub fn entry() -> DocumentEntry {
        DocumentEntry {
            id: Uuid::now_v7(),
            category: Category::Lab,
            file_name: "scan.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1,
            sha256: String::new(),
            created: OffsetDateTime::UNIX_EPOCH,
            uploaded_by: "u".into(),
            variants: vec![],
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Clean,
            status_change: None,
            processing: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(category: Category, status: DocumentStatus) -> DocumentEntry {
        DocumentEntry {
            id: Uuid::now_v7(),
            category,
            file_name: "scan.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1,
            sha256: String::new(),
            created: OffsetDateTime::UNIX_EPOCH,
            uploaded_by: "u".into(),
            variants: vec![],
            stamp: None,
            status,
            scan_status: ScanStatus::Clean,
            status_change: None,
            processing: None,
        }
    }

    #[test]
    fn only_attached_documents_count_towards_tiles() {
        let mut m = Manifest::new();
        m.add(entry(Category::Lab, DocumentStatus::Attached));
        m.add(entry(Category::Lab, DocumentStatus::Attached));
        m.add(entry(Category::Preop, DocumentStatus::Replaced));
        m.add(entry(Category::Discharge, DocumentStatus::Detached));
        let counts = m.attached_counts();
        assert_eq!(counts[0], (Category::Preop, 0));
        assert_eq!(counts[1], (Category::Lab, 2));
        assert_eq!(counts[6], (Category::Discharge, 0));
    }

    #[test]
    fn a_deleted_entry_keeps_who_when_and_why_but_not_the_file_name() {
        let mut e = entry(Category::Lab, DocumentStatus::Attached);
        e.retire(
            DocumentStatus::Deleted,
            "admin.byrne",
            OffsetDateTime::UNIX_EPOCH,
            Some("Filed to the wrong patient".into()),
        );
        let json = serde_json::to_string(&e).unwrap();
        let back: DocumentEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(back.status, DocumentStatus::Deleted);
        let change = back.status_change.clone().unwrap();
        assert_eq!(change.by, "admin.byrne");
        assert_eq!(change.reason.as_deref(), Some("Filed to the wrong patient"));
        assert!(back.file_name.is_empty());
        assert!(!back.is_history(), "a tombstone is never opened");
    }

    #[test]
    fn a_delete_needs_a_reason_of_sensible_length() {
        assert_eq!(delete_reason("  \n"), Err(DeleteReasonError::Missing));
        assert_eq!(
            delete_reason(&"x".repeat(501)),
            Err(DeleteReasonError::TooLong)
        );
        assert_eq!(delete_reason(" Wrong patient ").unwrap(), "Wrong patient");
    }

    #[test]
    fn a_delete_reason_loses_bidi_and_zero_width_characters_and_keeps_its_words_apart() {
        assert_eq!(
            delete_reason("Wrong\u{202E}tneitap\u{200B} file\n\tdup").unwrap(),
            "Wrongtneitap file dup"
        );
        assert_eq!(
            delete_reason("\u{200B}\u{2066}"),
            Err(DeleteReasonError::Missing),
            "nothing visible is no reason"
        );
    }

    #[test]
    fn an_entry_written_before_status_changes_existed_still_reads() {
        let mut e = entry(Category::Lab, DocumentStatus::Detached);
        e.status_change = None;
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("status_change"));
        assert!(serde_json::from_str::<DocumentEntry>(&json)
            .unwrap()
            .is_history());
    }

    #[test]
    fn manifest_round_trips_through_json() {
        let mut m = Manifest::new();
        m.add(entry(Category::Radiology, DocumentStatus::Attached));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Manifest>(&json).unwrap(), m);
    }
}
