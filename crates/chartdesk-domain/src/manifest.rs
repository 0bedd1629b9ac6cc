//! The patient's document index (`manifest.json`) and the tile counts derived from it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Category;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    #[serde(default)]
    pub documents: Vec<DocumentEntry>,
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
        }
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
        }
    }

    #[test]
    fn only_attached_documents_count_towards_tiles() {
        let mut m = Manifest::new();
        m.documents
            .push(entry(Category::Lab, DocumentStatus::Attached));
        m.documents
            .push(entry(Category::Lab, DocumentStatus::Attached));
        m.documents
            .push(entry(Category::Preop, DocumentStatus::Replaced));
        m.documents
            .push(entry(Category::Discharge, DocumentStatus::Detached));
        let counts = m.attached_counts();
        assert_eq!(counts[0], (Category::Preop, 0));
        assert_eq!(counts[1], (Category::Lab, 2));
        assert_eq!(counts[6], (Category::Discharge, 0));
    }

    #[test]
    fn manifest_round_trips_through_json() {
        let mut m = Manifest::new();
        m.documents
            .push(entry(Category::Radiology, DocumentStatus::Attached));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Manifest>(&json).unwrap(), m);
    }
}
