//! The offline copy as the user works it: kept within its budget, searched, a patient pinned
//! for offline use (every document downloaded, with progress), "Clear offline data", reset.

use serde::Serialize;
use tracing::instrument;

use super::offline_views::OfflineAudit;
use super::remote_documents::ServerReads;
use super::{AppError, Services};
use crate::cache::CachedHit;
use crate::cloud::ServerError;
use chartdesk_api::DocumentView;
use chartdesk_domain::Action;

/// What pinning a patient downloaded.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PinReport {
    pub documents: u32,
    /// Documents that could not be kept (e.g. flagged by the virus scanner).
    pub skipped: u32,
}

/// What the user does with the offline copy, as the shells reach it
/// (`app.offline().pin_patient(..)`): search it, pin a patient, clear it, reset it, and report
/// the reads made from it while offline (`flush_audits`).
#[derive(Clone, Copy)]
pub struct OfflineCopy<'a> {
    app: &'a Services,
}

impl Services {
    pub fn offline(&self) -> OfflineCopy<'_> {
        OfflineCopy { app: self }
    }

    /// Applies the profile's size limit and retention time (best effort, after each write).
    pub(super) async fn keep_within_budget(&self) {
        if let Some(cache) = self.usable_cache().await {
            self.offline_store.keep_within_budget(&cache).await;
        }
    }
}

impl OfflineCopy<'_> {
    /// Downloads every attached document of the patient into the encrypted cache and keeps
    /// it there whatever the budget (a ward list). `progress(done, total)` after each one.
    #[instrument(skip_all)]
    pub async fn pin_patient(
        self,
        mrn: &str,
        progress: impl Fn(u32, u32),
    ) -> Result<PinReport, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let cache = self.app.cache().await?;
        // The record itself first (the server audits the find), so the patient opens offline.
        let query = format!("MRN {mrn}");
        let reason = self.app.records.reason_for(mrn.as_ref());
        let reads = ServerReads::of(self.app);
        if let Some(record) = reads.find_via_server(&query, reason.as_ref(), None).await? {
            self.app.patients().remember_record(&record).await;
        }
        // Every attached document, with its thumbnail URL handed out (and the list audited).
        let attached = reads.list_via_server(&mrn, None, Some("")).await?;
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
            match reads
                .open_via_server(&mrn, id, DocumentView::Original)
                .await
            {
                Ok(_) => report.documents += 1,
                Err(e) if is_unkeepable(&e) => report.skipped += 1,
                Err(e) => return Err(e),
            }
            // The viewer opens an image's optimized JPEG first: keep that too, every page of
            // it (best effort).
            if row.has_optimized {
                for page in 1..=row.pages.unwrap_or(1).max(1) {
                    let _ = reads
                        .open_page_via_server(&mrn, id, DocumentView::Optimized, page)
                        .await;
                }
            }
            let _ = reads.thumbnail_via_server(&mrn, id).await;
            progress(i as u32 + 1, total);
        }
        Ok(report)
    }

    pub async fn unpin_patient(self, mrn: &str) -> Result<(), AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        Ok(self.app.cache().await?.pin(mrn.as_ref(), false).await?)
    }

    /// Every cached patient and file goes; uploads still waiting stay.
    pub async fn clear_offline_data(self) -> Result<(), AppError> {
        self.app.actor().await?;
        self.app.refuse_if_locked()?;
        Ok(self.app.cache().await?.clear_records().await?)
    }

    /// Moves the user's unreadable cache aside and starts a new one (see `OfflineStore::reset`).
    pub async fn reset_cache(self) -> Result<(), AppError> {
        let username = self.app.actor().await?;
        self.app.refuse_if_locked()?;
        Ok(self.app.offline_store.reset(&username).await?)
    }

    /// Patients and documents in this user's cache matching what was typed (every word a
    /// prefix), as the user types; works with no network.
    pub async fn search_offline(self, typed: &str) -> Result<Vec<CachedHit>, AppError> {
        self.app
            .authorize(chartdesk_domain::Action::ViewRecords)
            .await?;
        match self.app.usable_cache().await {
            Some(cache) => Ok(cache.search(typed, 12).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Sends the views made offline to the server, which audits them as reported later.
    pub async fn flush_audits(self) -> Result<(), AppError> {
        OfflineAudit::of(self.app).report_offline_views().await
    }
}

/// A document the server will not hand out (flagged or not yet checked by the scanner, or
/// failing its checksum):
/// pinning goes on without it.
fn is_unkeepable(e: &AppError) -> bool {
    use chartdesk_api::ApiErrorCode;
    match e {
        AppError::Corrupted | AppError::Withheld(_) => true,
        AppError::Server(ServerError::Refused(body)) => {
            matches!(
                body.code,
                ApiErrorCode::Infected | ApiErrorCode::Integrity | ApiErrorCode::ScanPending
            )
        }
        _ => false,
    }
}
