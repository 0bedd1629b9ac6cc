//! Cache-first patient views: a patient this user opened before is shown from the encrypted
//! cache at once, then revalidated with a conditional GET on the manifest's ETag. Every live
//! read refreshes the cache; when the cloud cannot be reached, the cached copy is served and
//! says how old it is.

use time::format_description::well_known::Rfc3339;
use tracing::warn;

use super::{AppError, Services};
use crate::cache::{Cache, CachedHit, CachedPatient, IndexRow};
use crate::domain::PatientSummary;
use crate::domain::{choose_reading, Manifest, Patient, PatientQuery};
use crate::records::PatientRecord;

impl Services {
    /// The user's cache when there is one that opens; a broken cache never blocks live
    /// viewing (the outbox calls report it, with the reset choice).
    pub(super) async fn usable_cache(&self) -> Option<Cache> {
        match self.cache().await {
            Ok(cache) => Some(cache),
            Err(AppError::NoOfflineCache) => None,
            Err(e) => {
                warn!(error = %e, "offline cache unavailable");
                None
            }
        }
    }

    fn now_text(&self) -> String {
        (self.clock)().format(&Rfc3339).unwrap_or_default()
    }

    /// The cached record for an MRN, with when it was last synced.
    pub(super) async fn cached_record(&self, mrn: &str) -> Option<(PatientRecord, String)> {
        let cached = self.usable_cache().await?.patient(mrn).await.ok()??;
        Self::decode_cached(cached)
    }

    /// The cached record a search names, under the server's rule: ten digits that are one
    /// cached patient's NHS number and another's MRN are `Ambiguous`, never a guess.
    pub(super) async fn cached_find(
        &self,
        query: &PatientQuery,
        typed: &str,
    ) -> Result<Option<(PatientRecord, String)>, AppError> {
        let nhs = match query {
            PatientQuery::Mrn(mrn) => return Ok(self.cached_record(mrn.as_ref()).await),
            PatientQuery::Nhs(nhs) => nhs,
        };
        let by_nhs = match self.usable_cache().await {
            Some(cache) => cache
                .patient_by_nhs(nhs.digits())
                .await
                .ok()
                .flatten()
                .and_then(Self::decode_cached),
            None => None,
        };
        let Some(mrn) = PatientQuery::also_an_mrn(typed, &self.policy().mrn_format) else {
            return Ok(by_nhs);
        };
        let by_mrn = self.cached_record(mrn.as_ref()).await;
        Ok(choose_reading(nhs, &mrn, by_nhs, by_mrn, |a, b| {
            a.0.patient.mrn == b.0.patient.mrn
        })?)
    }

    fn decode_cached(cached: CachedPatient) -> Option<(PatientRecord, String)> {
        let patient: Patient = serde_json::from_str(&cached.patient).ok()?;
        let manifest: Manifest = serde_json::from_str(&cached.manifest).ok()?;
        let record = PatientRecord {
            patient,
            manifest,
            manifest_etag: cached.manifest_etag,
        };
        Some((record, cached.synced_at))
    }

    /// Keeps a patient the user opened (best effort: the screen never waits on the cache).
    pub(super) async fn remember_record(&self, record: &PatientRecord) {
        let Some(cache) = self.usable_cache().await else {
            return;
        };
        let (Ok(patient), Ok(manifest)) = (
            serde_json::to_string(&record.patient),
            serde_json::to_string(&record.manifest),
        ) else {
            return;
        };
        let now = self.now_text();
        let saved = cache
            .save_patient(
                CachedPatient {
                    mrn: record.patient.mrn.to_string(),
                    nhs_number: record.patient.nhs_number.digits().to_string(),
                    patient,
                    manifest,
                    manifest_etag: record.manifest_etag.clone(),
                    synced_at: now.clone(),
                },
                &now,
            )
            .await;
        if let Err(e) = saved {
            warn!(error = %e, "could not keep the patient offline");
        }
        let _ = cache
            .index_patient(record.patient.mrn.as_ref(), index_rows(record))
            .await;
    }

    /// Patients and documents in this user's cache matching what was typed (every word a
    /// prefix), as the user types; works with no network.
    pub async fn search_offline(&self, typed: &str) -> Result<Vec<CachedHit>, AppError> {
        self.authorize(crate::domain::Action::ViewRecords).await?;
        match self.usable_cache().await {
            Some(cache) => Ok(cache.search(typed, 12).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Asks the server whether a cached patient changed (a find with the cached manifest's
    /// ETag; audited). `None`: the copy on screen is current. A changed record is cached and
    /// returned.
    pub async fn revalidate_patient(&self, mrn: &str) -> Result<Option<PatientSummary>, AppError> {
        self.authorize(crate::domain::Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let cached = self.cached_record(mrn.as_ref()).await;
        let etag = cached
            .as_ref()
            .and_then(|(record, _)| record.manifest_etag.clone());
        let reason = self.reason_for(mrn.as_ref());
        let query = format!("MRN {mrn}");
        let found = self
            .find_via_server(&query, reason.as_ref(), etag.as_deref())
            .await?;
        // The server audited this find: the cached copy shown before it was not read unaudited.
        self.confirm_find(&mrn).await;
        match found {
            None => {
                if let Some(cache) = self.usable_cache().await {
                    let _ = cache.mark_synced(mrn.as_ref(), &self.now_text()).await;
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
    pub async fn find_current_patient(
        &self,
        query: &str,
        reason: Option<crate::domain::StatedReason>,
    ) -> Result<PatientSummary, AppError> {
        let shown = self.find_patient_with_reason(query, reason).await?;
        if shown.synced_at.is_none() {
            return Ok(shown);
        }
        match self.revalidate_patient(&shown.banner.mrn).await {
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
        &self,
        record: &PatientRecord,
        synced_at: Option<String>,
    ) -> PatientSummary {
        let mut summary =
            PatientSummary::from_record(&record.patient, &record.manifest, (self.clock)().date());
        summary.can_upload = self.may(crate::domain::Action::Upload).await;
        summary.can_view_history = self.may(crate::domain::Action::ReadAudit).await;
        summary.can_export = self.may(crate::domain::Action::Export).await;
        summary.pinned = match self.usable_cache().await {
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

impl Services {
    /// Whether the records server answers, by one cheap request; updates the offline state.
    /// For the offline banner and the outbox's automatic drain.
    pub async fn is_online(&self) -> bool {
        match self.records_server() {
            Some(server) => server.probe().await,
            None => false,
        }
    }

    /// Whether the last request to the server found no network.
    pub(super) fn seems_offline(&self) -> bool {
        self.records_server().is_some_and(|s| s.is_offline())
    }

    /// Sends the views made offline to the server, which audits them as reported later.
    pub async fn flush_audits(&self) -> Result<(), AppError> {
        self.report_offline_views().await
    }
}

/// The patient's search rows: demographics, then each attached document.
pub fn index_rows(record: &PatientRecord) -> Vec<IndexRow> {
    let p = &record.patient;
    let name = format!("{}, {}", p.family_name.to_uppercase(), p.given_name);
    let nhs = p.nhs_number.display_form();
    let mut rows = vec![IndexRow {
        doc_id: String::new(),
        label: format!("{name} · NHS {nhs} · MRN {}", p.mrn),
        text: format!(
            "{} {} {} {nhs} {} {}",
            p.given_name,
            p.family_name,
            p.nhs_number.digits(),
            p.mrn,
            crate::cache::search_index::index_date(p.birth_date)
        ),
    }];
    for d in &record.manifest.documents {
        if d.status != crate::domain::DocumentStatus::Attached {
            continue;
        }
        rows.push(IndexRow {
            doc_id: d.id.to_string(),
            label: format!("{}: {} — {name}", d.category.label(), d.file_name),
            text: format!(
                "{} {} {} {}",
                d.file_name,
                d.category.label(),
                d.uploaded_by,
                crate::cache::search_index::index_date(d.created.date())
            ),
        });
    }
    rows
}
