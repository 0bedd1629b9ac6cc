//! Keeping the offline copy within its budget, pinning a patient for offline use (every
//! document downloaded, with progress), and "Clear offline data".

use serde::Serialize;
use tracing::instrument;

use super::documents::DocumentView;
use super::{AppError, Services};
use crate::cloud::ServerError;
use crate::domain::Action;

/// What pinning a patient downloaded.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PinReport {
    pub documents: u32,
    /// Documents that could not be kept (e.g. flagged by the virus scanner).
    pub skipped: u32,
}

impl Services {
    /// Applies the profile's size limit and retention time (best effort, after each write).
    pub(super) async fn keep_within_budget(&self) {
        if let Some(cache) = self.usable_cache().await {
            self.offline.keep_within_budget(&cache).await;
        }
    }

    /// Downloads every attached document of the patient into the encrypted cache and keeps
    /// it there whatever the budget (a ward list). `progress(done, total)` after each one.
    #[instrument(skip_all)]
    pub async fn pin_patient(
        &self,
        mrn: &str,
        progress: impl Fn(u32, u32),
    ) -> Result<PinReport, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let cache = self.cache().await?;
        // The record itself first (the server audits the find), so the patient opens offline.
        let query = format!("MRN {mrn}");
        let reason = self.records.reason_for(mrn.as_ref());
        if let Some(record) = self.find_via_server(&query, reason.as_ref(), None).await? {
            self.remember_record(&record).await;
        }
        // Every attached document, with its thumbnail URL handed out (and the list audited).
        let attached = self.list_via_server(&mrn, None, Some("")).await?;
        cache.pin(mrn.as_ref(), true).await?;
        let total = attached.len() as u32;
        let mut report = PinReport {
            documents: 0,
            skipped: 0,
        };
        progress(0, total);
        for (i, row) in attached.iter().enumerate() {
            let Ok(id) = uuid::Uuid::parse_str(&row.id) else {
                report.skipped += 1;
                continue;
            };
            match self.open_via_server(&mrn, id, DocumentView::Original).await {
                Ok(_) => report.documents += 1,
                Err(e) if is_unkeepable(&e) => report.skipped += 1,
                Err(e) => return Err(e),
            }
            // The viewer opens an image's optimized JPEG first: keep that too (best effort).
            if row.has_optimized {
                let _ = self
                    .open_via_server(&mrn, id, DocumentView::Optimized)
                    .await;
            }
            let _ = self.thumbnail_via_server(&mrn, id).await;
            progress(i as u32 + 1, total);
        }
        Ok(report)
    }

    pub async fn unpin_patient(&self, mrn: &str) -> Result<(), AppError> {
        self.authorize(Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        Ok(self.cache().await?.pin(mrn.as_ref(), false).await?)
    }

    /// Every cached patient and file goes; uploads still waiting stay.
    pub async fn clear_offline_data(&self) -> Result<(), AppError> {
        self.actor().await?;
        self.refuse_if_locked()?;
        Ok(self.cache().await?.clear_records().await?)
    }
}

/// A document the server will not hand out (flagged or not yet checked by the scanner, or
/// failing its checksum):
/// pinning goes on without it.
fn is_unkeepable(e: &AppError) -> bool {
    use chartdesk_api::ApiErrorCode;
    match e {
        AppError::Corrupted | AppError::Infected => true,
        AppError::Server(ServerError::Refused(body)) => {
            matches!(
                body.code,
                ApiErrorCode::Infected | ApiErrorCode::Integrity | ApiErrorCode::ScanPending
            )
        }
        _ => false,
    }
}
