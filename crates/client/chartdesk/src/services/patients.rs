//! Finding a patient: cache-first for one this user opened before (shown at once, then
//! revalidated), otherwise through the records server, which decides and audits.

use tracing::instrument;

use super::offline_views::OfflineAudit;
use super::{AppError, Services};
use chartdesk_domain::{Action, BreakGlassError, PatientQuery, PatientSummary, StatedReason};

/// Finding a patient and keeping the record on screen current, as the shells reach it
/// (`app.patients().find(..)`).
#[derive(Clone, Copy)]
pub struct Patients<'a> {
    pub(super) app: &'a Services,
}

impl Services {
    /// Finding patients and keeping the one on screen current.
    pub fn patients(&self) -> Patients<'_> {
        Patients { app: self }
    }
}

impl Patients<'_> {
    /// Cache-first: a patient this user opened before comes from the encrypted cache at once
    /// (`synced_at` says how fresh), queued as an offline read; the UI then calls
    /// `revalidate`, whose audited answer withdraws it. Otherwise live. Ten digits
    /// that are also an MRN go to the server while it can be reached (it looks up both).
    pub async fn find(self, query: &str) -> Result<PatientSummary, AppError> {
        self.find_with_reason(query, None).await
    }

    /// As `find`; a restricted record needs the break-glass `reason` the user gave.
    #[instrument(name = "find_patient_with_reason", skip_all)]
    pub async fn find_with_reason(
        self,
        query: &str,
        reason: Option<StatedReason>,
    ) -> Result<PatientSummary, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let parsed = PatientQuery::parse(query, &self.app.policy().mrn_format)?;
        // Opening a patient: a copy past its retention time (by its last opening or the
        // cloud's last word) goes before it could be shown again. Once per open, not per read.
        self.app.keep_within_budget().await;
        let cached = self.cached_find(&parsed, query).await?;
        // Ten digits that read two ways: the cache may hold one reading and not the other,
        // so only the server (which looks up both) answers while it can be reached.
        let two_readings =
            PatientQuery::also_an_mrn(query, &self.app.policy().mrn_format).is_some();
        let cached = match cached {
            Some(hit) if !two_readings || self.app.seems_offline() => {
                return self.show_cached(hit, reason).await;
            }
            other => other,
        };
        // The server decides (role, break-glass) and audits; its record is kept offline.
        let found = match self.find_screen_via_server(query, reason.as_ref()).await {
            Ok(found) => found,
            Err(AppError::Server(crate::cloud::ServerError::Unreachable)) if cached.is_some() => {
                let hit = cached.ok_or(crate::cloud::ServerError::Unreachable)?;
                return self.show_cached(hit, reason).await;
            }
            Err(e) => return Err(e),
        };
        if let Some(r) = &reason {
            self.app
                .records
                .remember_reason(&found.summary.banner.mrn, r);
        }
        self.keep_found(&found).await;
        Ok(self.shown_summary(found.summary).await)
    }

    /// A patient shown from the offline copy (a restricted one with the reason, as online).
    async fn show_cached(
        self,
        (record, synced_at): (chartdesk_records::PatientRecord, String),
        reason: Option<StatedReason>,
    ) -> Result<PatientSummary, AppError> {
        if record.patient.flags.restricted && reason.is_none() {
            return Err(BreakGlassError::ReasonRequired.into());
        }
        if let Some(r) = &reason {
            self.app
                .records
                .remember_reason(record.patient.mrn.as_ref(), r);
        }
        // Shown before the server is asked: audited as an offline read unless the
        // revalidation that follows reaches the server (which audits it instead).
        OfflineAudit::of(self.app)
            .queue_unconfirmed_find(&record.patient.mrn, reason.as_ref())
            .await?;
        if let Some(cache) = self.app.usable_cache().await {
            self.app
                .offline_store
                .touch(&cache, record.patient.mrn.as_ref())
                .await;
        }
        Ok(self.summary(&record, Some(synced_at)).await)
    }

    /// The open record's version, polled by the window (not audited: nothing is shown);
    /// `None` while `seen` is still current. A new version means: read the record again.
    pub async fn record_version(
        self,
        mrn: &str,
        seen: Option<&str>,
    ) -> Result<Option<String>, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(mrn.as_ref());
        Ok(server
            .record_version(&token, mrn.as_ref(), reason.as_ref(), seen)
            .await?)
    }
}
