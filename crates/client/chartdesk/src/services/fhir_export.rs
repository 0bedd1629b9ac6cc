//! A FHIR bulk export (records admins), as the CLI's `chartdesk fhir export` and the desktop
//! shell run it: started on the records server, which makes it in the background, polled with
//! progress, then its NDJSON files saved into a folder. The server decides and audits.

use std::path::Path;

use serde::Serialize;
use tracing::instrument;

use super::records_server::RecordsAdmin;
use super::AppError;
use crate::cloud::fhir_export::ExportState;
use crate::export::ArchiveError;
use chartdesk_domain::Action;

/// The largest export file read into memory (a record's NDJSON is metadata, kilobytes per
/// document).
const MAX_FILE_BYTES: u64 = 1 << 30;

/// How many status polls before giving up (at the server's `Retry-After`, about an hour).
const MAX_POLLS: u32 = 1800;

/// One saved file.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FhirExportFile {
    /// `Patient`, `DocumentReference`, or `OperationOutcome` for records that could not be exported.
    pub resource_type: String,
    pub path: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FhirExportSummary {
    pub transaction_time: String,
    pub files: Vec<FhirExportFile>,
}

impl RecordsAdmin<'_> {
    /// Exports these patients' records (by MRN) as FHIR NDJSON into `folder`, telling
    /// `progress` what is happening (the server's progress, then each file saved).
    #[instrument(skip_all)]
    pub async fn fhir_export(
        self,
        mrns: &[String],
        folder: &Path,
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<FhirExportSummary, AppError> {
        self.app.authorize(Action::BulkExport).await?;
        for mrn in mrns {
            self.app.parse_mrn(mrn)?;
        }
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let status = server.fhir_export().start(&token, mrns).await?;
        progress("Export started on the records server");
        let mut manifest = None;
        for _ in 0..MAX_POLLS {
            // A fresh token each poll: a long export outlives one.
            let token = self.app.access_token().await?;
            match server.fhir_export().state(&token, &status).await? {
                ExportState::Done(done) => {
                    manifest = Some(done);
                    break;
                }
                ExportState::Running {
                    progress: said,
                    retry_after,
                } => {
                    progress(said.as_deref().unwrap_or("Exporting"));
                    tokio::time::sleep(retry_after).await;
                }
            }
        }
        let manifest = manifest.ok_or(AppError::Server(crate::cloud::ServerError::Unreachable))?;
        let failed = |e: std::io::Error| {
            AppError::Export(ArchiveError::Write {
                path: folder.display().to_string(),
                reason: e.to_string(),
            })
        };
        std::fs::create_dir_all(folder).map_err(failed)?;
        let mut files = Vec::new();
        for file in manifest.output.iter().chain(&manifest.error) {
            // A presigned GET (no token), through the one bounded fetch of handed-out URLs.
            let bytes = server.fetch(&file.url, MAX_FILE_BYTES).await?;
            let path = folder.join(format!("{}.ndjson", file.resource_type));
            // Written beside, then renamed: a stopped run never leaves half a file.
            let partial = path.with_extension("ndjson.partial");
            std::fs::write(&partial, &bytes).map_err(failed)?;
            std::fs::rename(&partial, &path).map_err(failed)?;
            progress(&format!(
                "Saved {} ({} resources)",
                path.display(),
                file.count
            ));
            files.push(FhirExportFile {
                resource_type: file.resource_type.clone(),
                path: path.display().to_string(),
                count: file.count,
            });
        }
        Ok(FhirExportSummary {
            transaction_time: manifest.transaction_time,
            files,
        })
    }
}
