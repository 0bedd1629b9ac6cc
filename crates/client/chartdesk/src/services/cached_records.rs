//! Cache-first patient views: a patient this user opened before is shown from the encrypted
//! cache at once, then revalidated with a conditional GET on the manifest's ETag. Every live
//! read refreshes the cache; when the cloud cannot be reached, the cached copy is served and
//! says how old it is.

use std::path::PathBuf;

use tracing::warn;

use super::offline_views::OfflineAudit;
use super::remote_documents::ServerReads;
use super::{AppError, Services};
use crate::cache::Cache;
use chartdesk_domain::PatientSummary;
use chartdesk_domain::{choose_reading, PatientQuery};
use chartdesk_records::PatientRecord;

impl Services {
    /// Where this profile's caches live (one database per user).
    pub fn with_cache_dir(mut self, dir: PathBuf) -> Self {
        self.offline_store = self.offline_store.with_dir(dir);
        self
    }

    /// The signed-in user's cache. Fails with `CacheError::Unreadable` when the file exists but
    /// its key is gone or wrong: the user then chooses `reset_cache`.
    pub async fn cache(&self) -> Result<Cache, AppError> {
        let username = self.actor().await?;
        Ok(self.offline_store.open(&username).await?)
    }

    /// The user's cache when there is one that opens; a broken cache never blocks live
    /// viewing (the outbox calls report it, with the reset choice).
    pub(super) async fn usable_cache(&self) -> Option<Cache> {
        match self.cache().await {
            Ok(cache) => Some(cache),
            Err(AppError::NoOfflineCache) => None,
            Err(e) => {
                warn!(code = ?e.code(), "offline cache unavailable");
                None
            }
        }
    }

    /// The cached record for an MRN, with when it was last synced.
    pub(super) async fn cached_record(&self, mrn: &str) -> Option<(PatientRecord, String)> {
        let cache = self.usable_cache().await?;
        self.offline_store.record(&cache, mrn).await
    }

    /// Whether the records server answers, by one cheap request; updates the offline state.
    /// For the offline banner and the outbox's automatic drain.
    pub async fn is_online(&self) -> bool {
        match self.records.server() {
            Some(server) => server.probe().await,
            None => false,
        }
    }

    /// Whether the last request to the server found no network.
    pub(super) fn seems_offline(&self) -> bool {
        self.records.seems_offline()
    }
}

impl super::Patients<'_> {
    /// The cached record a search names, under the server's rule: ten digits that are one
    /// cached patient's NHS number and another's MRN are `Ambiguous`, never a guess.
    pub(super) async fn cached_find(
        self,
        query: &PatientQuery,
        typed: &str,
    ) -> Result<Option<(PatientRecord, String)>, AppError> {
        let nhs = match query {
            PatientQuery::Mrn(mrn) => return Ok(self.app.cached_record(mrn.as_ref()).await),
            PatientQuery::Nhs(nhs) => nhs,
        };
        let by_nhs = match self.app.usable_cache().await {
            Some(cache) => {
                self.app
                    .offline_store
                    .record_by_nhs(&cache, nhs.digits())
                    .await
            }
            None => None,
        };
        let Some(mrn) = PatientQuery::also_an_mrn(typed, &self.app.policy().mrn_format) else {
            return Ok(by_nhs);
        };
        let by_mrn = self.app.cached_record(mrn.as_ref()).await;
        Ok(choose_reading(nhs, &mrn, by_nhs, by_mrn, |a, b| {
            a.0.patient.mrn == b.0.patient.mrn
        })?)
    }

    /// Keeps a patient the user opened (best effort: the screen never waits on the cache).
    pub(super) async fn remember_record(self, record: &PatientRecord) {
        if let Some(cache) = self.app.usable_cache().await {
            self.app.offline_store.remember(&cache, record).await;
        }
    }

    /// Asks the server whether a cached patient changed (a find with the cached manifest's
    /// ETag; audited). `None`: the copy on screen is current. A changed record is cached and
    /// returned.
    pub async fn revalidate(self, mrn: &str) -> Result<Option<PatientSummary>, AppError> {
        self.app
            .authorize(chartdesk_domain::Action::ViewRecords)
            .await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let cached = self.app.cached_record(mrn.as_ref()).await;
        let etag = cached
            .as_ref()
            .and_then(|(record, _)| record.manifest_etag.clone());
        let reason = self.app.records.reason_for(mrn.as_ref());
        let query = format!("MRN {mrn}");
        let found = ServerReads::of(self.app)
            .find_via_server(&query, reason.as_ref(), etag.as_deref())
            .await?;
        // The server audited this find: the cached copy shown before it was not read unaudited.
        OfflineAudit::of(self.app).confirm_find(&mrn).await;
        match found {
            None => {
                if let Some(cache) = self.app.usable_cache().await {
                    self.app
                        .offline_store
                        .mark_synced(&cache, mrn.as_ref())
                        .await;
                }
                Ok(None)
            }
            Some(record) => {
                self.remember_record(&record).await;
                Ok(Some(self.summary(&record, None).await))
            }
        }
    }

    /// The patient as the server has them now, for callers that print rather than update a
    /// screen (the CLI): the cached copy is revalidated (audited by the server); only when the
    /// server cannot be reached is the cached copy the answer (its read queued for the audit).
    pub async fn find_current(
        self,
        query: &str,
        reason: Option<chartdesk_domain::StatedReason>,
    ) -> Result<PatientSummary, AppError> {
        let shown = self.find_with_reason(query, reason).await?;
        if shown.synced_at.is_none() {
            return Ok(shown);
        }
        match self.revalidate(&shown.banner.mrn).await {
            Ok(Some(fresh)) => Ok(fresh),
            Ok(None) => Ok(PatientSummary {
                synced_at: None,
                ..shown
            }),
            Err(AppError::Server(crate::cloud::ServerError::Unreachable)) => Ok(shown),
            Err(e) => Err(e),
        }
    }

    /// The screen's summary; `synced_at` set when it comes from the cache.
    pub(super) async fn summary(
        self,
        record: &PatientRecord,
        synced_at: Option<String>,
    ) -> PatientSummary {
        let mut summary = PatientSummary::from_record(
            &record.patient,
            &record.manifest,
            (self.app.clock)().date(),
        );
        summary.can_upload = self.app.may(chartdesk_domain::Action::Upload).await;
        summary.can_view_history = self.app.may(chartdesk_domain::Action::ReadAudit).await;
        summary.can_export = self.app.may(chartdesk_domain::Action::Export).await;
        summary.can_export_record = self.app.may(chartdesk_domain::Action::BulkExport).await;
        summary.pinned = match self.app.usable_cache().await {
            Some(cache) => cache
                .is_pinned(record.patient.mrn.as_ref())
                .await
                .unwrap_or(false),
            None => false,
        };
        summary.synced_at = synced_at;
        summary
    }
}
