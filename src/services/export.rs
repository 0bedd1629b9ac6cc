//! Export: chosen documents (or whole categories) of one patient saved as one ZIP with a
//! manifest CSV. Every file is integrity-checked as for viewing, and each export is audited.
//! The ZIP's own name is the user's choice; names inside are the documents' file names.

use std::path::PathBuf;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use tracing::instrument;
use uuid::Uuid;

use super::{AppError, Services};
use crate::domain::{Action, Category, DocumentEntry, DocumentStatus};
use crate::export::{write_archive, ArchiveError, ExportedFile, UniqueNames};
use crate::records::audit::{self, AuditAction};
use crate::records::LookupError;

/// What to put in the ZIP: these documents, and every document of these categories.
#[derive(Debug, Clone, Default)]
pub struct ExportSelection {
    pub doc_ids: Vec<String>,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ExportSummary {
    pub files: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    pub path: String,
}

impl Services {
    #[instrument(skip_all, err(Display))]
    pub async fn export_documents(
        &self,
        mrn: &str,
        selection: &ExportSelection,
        target: PathBuf,
    ) -> Result<ExportSummary, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let categories = selection
            .categories
            .iter()
            .map(|c| Category::from_id(c).ok_or(AppError::NoSuchCategory))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = selection
            .doc_ids
            .iter()
            .map(|id| Uuid::parse_str(id).map_err(|_| AppError::NoSuchDocument))
            .collect::<Result<Vec<_>, _>>()?;
        let manifest = self.manifest(&mrn).await?;
        let mut chosen: Vec<&DocumentEntry> = manifest
            .documents
            .iter()
            .filter(|d| d.status == DocumentStatus::Attached)
            .filter(|d| ids.contains(&d.id) || categories.contains(&d.category))
            .collect();
        if chosen.len() < ids.len() || chosen.is_empty() {
            return Err(AppError::NoSuchDocument);
        }
        chosen.sort_by_key(|d| {
            (
                Category::ALL.iter().position(|c| *c == d.category),
                d.created,
            )
        });
        let mut names = UniqueNames::default();
        let mut files = Vec::with_capacity(chosen.len());
        for entry in &chosen {
            let bytes = self.fetch_verified(&mrn, entry).await?;
            files.push(ExportedFile {
                zip_name: names.claim(entry.category.id(), &entry.file_name),
                bytes,
                document_id: entry.id.to_string(),
                category: entry.category.id().to_string(),
                original_name: entry.file_name.clone(),
                content_type: entry.content_type.clone(),
                sha256: entry.sha256.clone(),
                created: entry.created.format(&Rfc3339).unwrap_or_default(),
                uploaded_by: entry.uploaded_by.clone(),
                stamp: entry
                    .stamp
                    .as_ref()
                    .map(|s| {
                        let at = s.at.format(&Rfc3339).unwrap_or_default();
                        format!("{} by {} at {at}", s.label, s.by)
                    })
                    .unwrap_or_default(),
            });
        }
        // Audited before anything reaches the disk, as a view is before the bytes are shown.
        let actor = self.actor().await?;
        let now = (self.clock)();
        for entry in &chosen {
            audit::record(
                &self.store,
                now,
                &actor,
                AuditAction::Export,
                &mrn,
                Some(entry.id),
            )
            .await
            .map_err(LookupError::from)?;
        }
        let path = target.display().to_string();
        let count = files.len() as u32;
        let written = tokio::task::spawn_blocking(move || write_archive(&target, &files)).await;
        let bytes = written.map_err(|e| ArchiveError::Write {
            path: path.clone(),
            reason: e.to_string(),
        })??;
        Ok(ExportSummary {
            files: count,
            bytes,
            path,
        })
    }
}
