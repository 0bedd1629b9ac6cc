//! Cache-first patient views: a patient this user opened before is shown from the encrypted
//! cache at once, then revalidated with a conditional GET on the manifest's ETag. Every live
//! read refreshes the cache; when the cloud cannot be reached, the cached copy is served and
//! says how old it is.

use time::format_description::well_known::Rfc3339;
use tracing::warn;

use super::{AppError, Services};
use crate::cache::{Cache, CachedHit, CachedPatient, IndexRow};
use crate::cloud::object_store::Revalidated;
use crate::domain::{keys, Manifest, Mrn, Patient};
use crate::records::{LookupError, PatientRecord, PatientSummary};

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

    /// The cached record for an MRN or NHS number (digits), with when it was last synced.
    pub(super) async fn cached_record(&self, key: &str) -> Option<(PatientRecord, String)> {
        let cached = self.usable_cache().await?.patient(key).await.ok()??;
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

    /// A fresher manifest read live: update the cached copy, if the patient is cached.
    pub(super) async fn remember_manifest(&self, mrn: &Mrn, manifest: &Manifest, etag: &str) {
        let (Some(cache), Ok(json)) = (self.usable_cache().await, serde_json::to_string(manifest))
        else {
            return;
        };
        let now = self.now_text();
        let changed = cache
            .update_manifest(mrn.as_ref(), json, Some(etag.to_string()), &now)
            .await;
        // Re-index only what changed: every list, open and thumbnail reads the manifest.
        if !matches!(changed, Ok(true)) {
            return;
        }
        if let Some((record, _)) = self.cached_record(mrn.as_ref()).await {
            let _ = cache.index_patient(mrn.as_ref(), index_rows(&record)).await;
        }
    }

    /// Asks the cloud whether a cached patient changed (conditional GET on the manifest ETag).
    /// `None`: the copy on screen is current (304). A changed manifest is cached and returned.
    pub async fn revalidate_patient(&self, mrn: &str) -> Result<Option<PatientSummary>, AppError> {
        self.authorize(crate::domain::Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let Some((mut record, _)) = self.cached_record(mrn.as_ref()).await else {
            let live = self.live_record(&mrn).await?;
            return Ok(Some(self.summary(&live, None).await));
        };
        let key = keys::manifest(&mrn);
        let answer = match &record.manifest_etag {
            Some(etag) => self
                .store
                .get_json_if_changed::<Manifest>(&key, etag)
                .await
                .map_err(LookupError::from)?,
            None => match self
                .store
                .get_json::<Manifest>(&key)
                .await
                .map_err(LookupError::from)?
            {
                Some(v) => Revalidated::Changed(v),
                None => Revalidated::Missing,
            },
        };
        match answer {
            Revalidated::Unchanged | Revalidated::Missing => {
                if let Some(cache) = self.usable_cache().await {
                    let _ = cache.mark_synced(mrn.as_ref(), &self.now_text()).await;
                }
                Ok(None)
            }
            Revalidated::Changed(v) => {
                record.manifest = v.value;
                record.manifest_etag = Some(v.etag);
                self.remember_record(&record).await;
                Ok(Some(self.summary(&record, None).await))
            }
        }
    }

    pub(super) async fn live_record(&self, mrn: &Mrn) -> Result<PatientRecord, AppError> {
        let record = crate::records::find_patient(
            &self.store,
            &crate::domain::PatientQuery::Mrn(mrn.clone()),
        )
        .await?;
        self.remember_record(&record).await;
        Ok(record)
    }

    /// The screen's summary; `synced_at` set when it comes from the cache.
    pub(super) async fn summary(
        &self,
        record: &PatientRecord,
        synced_at: Option<String>,
    ) -> PatientSummary {
        let mut summary = PatientSummary::from_record(record);
        summary.can_upload = self.may(crate::domain::Action::Upload).await;
        summary.can_view_history = self.may(crate::domain::Action::ReadAudit).await;
        summary.synced_at = synced_at;
        summary
    }
}

impl Services {
    /// Whether the cloud answers, by one cheap request (HeadBucket); updates the store's
    /// offline state. For the offline banner and the outbox's automatic drain.
    pub async fn is_online(&self) -> bool {
        self.store.probe().await
    }
}

impl Services {
    /// Records an audit event; offline it waits in the encrypted cache and goes up with the
    /// outbox. Without either, the action is refused (no unaudited view).
    pub(super) async fn audit(
        &self,
        action: crate::records::audit::AuditAction,
        mrn: &Mrn,
        doc_id: Option<uuid::Uuid>,
    ) -> Result<(), AppError> {
        let actor = self.actor().await?;
        let (key, event) =
            crate::records::audit::event((self.clock)(), &actor, action, mrn, doc_id);
        let sent = self
            .store
            .put_json(&key, &event, crate::cloud::object_store::Write::Create)
            .await;
        match sent {
            Ok(_) | Err(crate::cloud::StoreError::Conflict) => Ok(()),
            Err(crate::cloud::StoreError::Unreachable) => {
                let cache = self
                    .usable_cache()
                    .await
                    .ok_or_else(|| LookupError::from(crate::cloud::StoreError::Unreachable))?;
                let json = serde_json::to_string(&event)
                    .map_err(|e| crate::cache::CacheError::Database(e.to_string()))?;
                cache.queue_audit(&key, json).await?;
                Ok(())
            }
            Err(e) => Err(LookupError::from(e).into()),
        }
    }

    /// Sends audit events made offline; stops at the first that cannot go.
    pub async fn flush_audits(&self) -> Result<(), AppError> {
        let Some(cache) = self.usable_cache().await else {
            return Ok(());
        };
        for (key, event) in cache.pending_audits().await? {
            let sent = self
                .store
                .put_bytes(
                    &key,
                    event.into_bytes(),
                    "application/json",
                    crate::cloud::object_store::Write::Create,
                )
                .await;
            match sent {
                Ok(_) | Err(crate::cloud::StoreError::Conflict) => cache.audit_sent(&key).await?,
                Err(_) => break,
            }
        }
        Ok(())
    }
}

/// The patient's search rows: demographics, then each attached document.
fn index_rows(record: &PatientRecord) -> Vec<IndexRow> {
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
            p.birth_date
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
                d.created.date()
            ),
        });
    }
    rows
}
