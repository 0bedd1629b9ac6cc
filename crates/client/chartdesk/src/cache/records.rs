//! Patients a user opened, kept for offline viewing (their files: `files.rs`).

use rusqlite::{params, OptionalExtension};

use super::{Cache, CacheError};

/// A patient as last fetched: demographics and manifest as JSON, with the manifest's ETag for
/// a conditional re-read.
#[derive(Debug, Clone)]
pub struct CachedPatient {
    pub mrn: String,
    pub nhs_number: String,
    pub patient: String,
    pub manifest: String,
    pub manifest_etag: Option<String>,
    pub synced_at: String,
}

impl Cache {
    pub async fn save_patient(&self, p: CachedPatient, now: &str) -> Result<(), CacheError> {
        let now = now.to_string();
        self.run(move |c| {
            c.execute(
                "INSERT INTO patients (mrn, nhs_number, patient, manifest, manifest_etag, synced_at, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(mrn) DO UPDATE SET nhs_number = ?2, patient = ?3, manifest = ?4,
                     manifest_etag = ?5, synced_at = ?6, opened_at = ?7",
                params![p.mrn, p.nhs_number, p.patient, p.manifest, p.manifest_etag, p.synced_at, now],
            )?;
            Ok(())
        })
        .await
    }

    /// A newer manifest for a patient already cached (others are not added by a list read).
    /// True when the cached copy changed (a different ETag).
    pub async fn update_manifest(
        &self,
        mrn: &str,
        manifest: String,
        etag: Option<String>,
        synced_at: &str,
    ) -> Result<bool, CacheError> {
        self.execute(
            "UPDATE patients SET manifest = ?2, manifest_etag = ?3, synced_at = ?4
             WHERE mrn = ?1 AND manifest_etag IS NOT ?3",
            vec![
                mrn.to_string().into(),
                manifest.into(),
                etag.into(),
                synced_at.to_string().into(),
            ],
        )
        .await
        .map(|changed| changed > 0)
    }

    /// The cloud confirmed the cached copy is current (a 304).
    pub async fn mark_synced(&self, mrn: &str, synced_at: &str) -> Result<(), CacheError> {
        self.execute(
            "UPDATE patients SET synced_at = ?2 WHERE mrn = ?1",
            vec![mrn.to_string().into(), synced_at.to_string().into()],
        )
        .await
        .map(|_| ())
    }

    /// Whether the patient is kept offline whatever the budget (pinned).
    pub async fn is_pinned(&self, mrn: &str) -> Result<bool, CacheError> {
        let mrn = mrn.to_string();
        self.run(move |c| {
            Ok(c.query_row(
                "SELECT pinned FROM patients WHERE mrn = ?1",
                params![mrn],
                |r| r.get::<_, bool>(0),
            )
            .optional()?
            .unwrap_or(false))
        })
        .await
    }

    /// By MRN.
    pub async fn patient(&self, mrn: &str) -> Result<Option<CachedPatient>, CacheError> {
        self.patient_where("SELECT mrn, nhs_number, patient, manifest, manifest_etag, synced_at FROM patients WHERE mrn = ?1", mrn).await
    }

    /// By NHS number (digits). Never by either at once: ten digits may be one patient's NHS
    /// number and another's MRN, and the caller decides which is meant.
    pub async fn patient_by_nhs(&self, nhs: &str) -> Result<Option<CachedPatient>, CacheError> {
        self.patient_where("SELECT mrn, nhs_number, patient, manifest, manifest_etag, synced_at FROM patients WHERE nhs_number = ?1", nhs).await
    }

    async fn patient_where(
        &self,
        sql: &'static str,
        key: &str,
    ) -> Result<Option<CachedPatient>, CacheError> {
        let key = key.to_string();
        self.run(move |c| {
            Ok(c.query_row(sql, params![key], |r| {
                Ok(CachedPatient {
                    mrn: r.get(0)?,
                    nhs_number: r.get(1)?,
                    patient: r.get(2)?,
                    manifest: r.get(3)?,
                    manifest_etag: r.get(4)?,
                    synced_at: r.get(5)?,
                })
            })
            .optional()?)
        })
        .await
    }

    /// An audit event made offline (an offline view is still audited: it goes up later).
    pub async fn queue_audit(&self, key: &str, event: String) -> Result<(), CacheError> {
        self.execute(
            "INSERT OR IGNORE INTO audit_pending (key, event) VALUES (?1, ?2)",
            vec![key.to_string().into(), event.into()],
        )
        .await
        .map(|_| ())
    }

    pub async fn pending_audits(&self) -> Result<Vec<(String, String)>, CacheError> {
        self.run(|c| {
            let mut statement = c.prepare("SELECT key, event FROM audit_pending ORDER BY key")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn audit_sent(&self, key: &str) -> Result<(), CacheError> {
        self.execute(
            "DELETE FROM audit_pending WHERE key = ?1",
            vec![key.to_string().into()],
        )
        .await
        .map(|_| ())
    }
}
