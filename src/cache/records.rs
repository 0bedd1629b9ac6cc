//! Patients and files a user opened, kept for offline viewing.

use rusqlite::{params, OptionalExtension};

use super::{Cache, CacheError};

/// A patient as last fetched: the summary and manifest as JSON, with the manifest's ETag for
/// a conditional re-read.
#[derive(Debug, Clone)]
pub struct CachedPatient {
    pub mrn: String,
    pub summary: String,
    pub manifest: String,
    pub manifest_etag: Option<String>,
    pub synced_at: String,
}

impl Cache {
    pub async fn save_patient(
        &self,
        patient: CachedPatient,
        nhs_number: &str,
        now: &str,
    ) -> Result<(), CacheError> {
        let (nhs, now) = (nhs_number.to_string(), now.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT INTO patients (mrn, nhs_number, summary, manifest, manifest_etag, synced_at, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(mrn) DO UPDATE SET nhs_number = ?2, summary = ?3, manifest = ?4,
                     manifest_etag = ?5, synced_at = ?6, opened_at = ?7",
                params![
                    patient.mrn,
                    nhs,
                    patient.summary,
                    patient.manifest,
                    patient.manifest_etag,
                    patient.synced_at,
                    now
                ],
            )?;
            Ok(())
        })
        .await
    }

    /// By MRN or (digits only) NHS number.
    pub async fn patient(&self, mrn_or_nhs: &str) -> Result<Option<CachedPatient>, CacheError> {
        let key = mrn_or_nhs.to_string();
        self.run(move |c| {
            Ok(c.query_row(
                "SELECT mrn, summary, manifest, manifest_etag, synced_at FROM patients
                 WHERE mrn = ?1 OR nhs_number = ?1",
                params![key],
                |r| {
                    Ok(CachedPatient {
                        mrn: r.get(0)?,
                        summary: r.get(1)?,
                        manifest: r.get(2)?,
                        manifest_etag: r.get(3)?,
                        synced_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    /// Keeps a document the user opened (its patient must be cached).
    pub async fn save_file(
        &self,
        doc_id: &str,
        mrn: &str,
        bytes: Vec<u8>,
        now: &str,
    ) -> Result<(), CacheError> {
        let (doc_id, mrn, now) = (doc_id.to_string(), mrn.to_string(), now.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT INTO files (doc_id, mrn, bytes, opened_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(doc_id) DO UPDATE SET opened_at = ?4",
                params![doc_id, mrn, bytes, now],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn file(&self, doc_id: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let doc_id = doc_id.to_string();
        self.run(move |c| {
            Ok(c.query_row(
                "SELECT bytes FROM files WHERE doc_id = ?1",
                params![doc_id],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }
}
