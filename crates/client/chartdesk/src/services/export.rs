//! Export: chosen documents (or whole categories) of one patient saved as one ZIP with a
//! manifest CSV. The server decides what may be exported and audits each file; every file is
//! integrity-checked here as for viewing.
//! The ZIP's own name is the user's choice; names inside are the documents' file names.

use std::path::PathBuf;

use serde::Serialize;
use tracing::instrument;
use uuid::Uuid;

use super::AppError;
use crate::export::{Archive, ArchiveError};
use chartdesk_domain::{sha256_hex, Action, Category};
use chartdesk_records::export_manifest::{ExportedEntry, UniqueNames};

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

impl super::Documents<'_> {
    #[instrument(name = "export_documents", skip_all)]
    pub async fn export(
        self,
        mrn: &str,
        selection: &ExportSelection,
        target: PathBuf,
    ) -> Result<ExportSummary, AppError> {
        self.app.authorize(Action::Export).await?;
        let mrn = self.app.parse_mrn(mrn)?;
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
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(mrn.as_ref());
        let request = chartdesk_api::ExportRequest {
            doc_ids: ids,
            categories,
        };
        // The server chooses what may go (and audits each file) before anything is fetched.
        let granted = server
            .export(&token, mrn.as_ref(), &request, reason.as_ref())
            .await?;
        let path = target.display().to_string();
        let mut names = UniqueNames::default();
        let mut archive = Some(blocking(&path, move || Archive::create(&target)).await?);
        let count = granted.documents.len() as u32;
        // One document in memory at a time: fetched, checked, appended, dropped.
        for access in granted.documents {
            let bytes = server.fetch(&access.url, access.size).await?;
            if access.sha256.len() != 64 || sha256_hex(&bytes) != access.sha256 {
                return Err(AppError::Corrupted);
            }
            let entry = ExportedEntry {
                zip_name: names.claim(
                    access.category.id(),
                    &access.file_name,
                    &access.content_type,
                ),
                document_id: access.doc_id.to_string(),
                category: access.category.id().to_string(),
                original_name: access.file_name,
                content_type: access.content_type,
                size: bytes.len() as u64,
                sha256: access.sha256,
                created: access.created,
                uploaded_by: access.uploaded_by,
                stamp: access.stamp.unwrap_or_default(),
            };
            let mut writing = archive.take().ok_or(AppError::Corrupted)?;
            archive = Some(
                blocking(&path, move || {
                    writing.add(entry, &bytes)?;
                    Ok(writing)
                })
                .await?,
            );
        }
        let writing = archive.take().ok_or(AppError::Corrupted)?;
        let bytes = blocking(&path, move || writing.finish()).await?;
        Ok(ExportSummary {
            files: count,
            bytes,
            path,
        })
    }
}

/// File work off the async workers; a task that dies is reported as a write failure.
async fn blocking<T: Send + 'static>(
    path: &str,
    work: impl FnOnce() -> Result<T, ArchiveError> + Send + 'static,
) -> Result<T, AppError> {
    let done = tokio::task::spawn_blocking(work).await;
    Ok(done.map_err(|e| ArchiveError::Write {
        path: path.to_string(),
        reason: e.to_string(),
    })??)
}
