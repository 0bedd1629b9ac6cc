//! What the cache may keep: a size limit (least recently opened files leave first) and a
//! retention time (patients not opened for N days, or not confirmed by the cloud for N days,
//! leave: opening the offline copy again and again never keeps unconfirmed data longer). The
//! outbox, audit events waiting to
//! go up, and pinned patients are never evicted.

use rusqlite::params;

use super::{Cache, CacheError};

/// What one pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evicted {
    pub patients: u32,
    pub files: u32,
}

impl Cache {
    /// Applies both rules. `cutoff` is the RFC 3339 time before which an unpinned patient
    /// counts as stale: not opened, or not confirmed current by the cloud, since then.
    pub async fn enforce_budget(
        &self,
        limit_bytes: u64,
        cutoff: &str,
    ) -> Result<Evicted, CacheError> {
        let cutoff = cutoff.to_string();
        self.run(move |c| {
            let tx = c.transaction()?;
            let stale: Vec<String> = {
                let mut statement = tx.prepare(
                    "SELECT mrn FROM patients
                     WHERE pinned = 0 AND (opened_at < ?1 OR synced_at < ?1)",
                )?;
                let rows = statement.query_map(params![cutoff], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            let mut evicted = Evicted::default();
            for mrn in &stale {
                super::search_index::forget_index_rows(&tx, mrn)?;
                // Files go with their patient (foreign key, ON DELETE CASCADE).
                tx.execute("DELETE FROM patients WHERE mrn = ?1", params![mrn])?;
                tx.execute("DELETE FROM document_texts WHERE mrn = ?1", params![mrn])?;
                evicted.patients += 1;
            }
            loop {
                let used: i64 = tx.query_row(
                    "SELECT coalesce(sum(length(bytes)), 0) FROM files",
                    [],
                    |r| r.get(0),
                )?;
                if used as u64 <= limit_bytes {
                    break;
                }
                let removed = tx.execute(
                    "DELETE FROM files WHERE rowid = (
                         SELECT f.rowid FROM files f JOIN patients p ON p.mrn = f.mrn
                         WHERE p.pinned = 0 ORDER BY f.opened_at LIMIT 1)",
                    [],
                )?;
                if removed == 0 {
                    break; // only pinned patients' files are left
                }
                evicted.files += 1;
            }
            tx.commit()?;
            Ok(evicted)
        })
        .await
    }

    /// Keeps a patient (and their files) regardless of the budget and retention.
    pub async fn pin(&self, mrn: &str, pinned: bool) -> Result<(), CacheError> {
        self.execute(
            "UPDATE patients SET pinned = ?2 WHERE mrn = ?1",
            vec![mrn.to_string().into(), pinned.into()],
        )
        .await
        .map(|_| ())
    }

    /// A patient opened again counts as recent.
    pub async fn touch(&self, mrn: &str, now: &str) -> Result<(), CacheError> {
        self.execute(
            "UPDATE patients SET opened_at = ?2 WHERE mrn = ?1",
            vec![mrn.to_string().into(), now.to_string().into()],
        )
        .await
        .map(|_| ())
    }

    /// "Clear offline data": every cached patient and file goes; the outbox and the audit
    /// events waiting to go up stay (they are not copies of anything).
    pub async fn clear_records(&self) -> Result<(), CacheError> {
        self.run(|c| {
            let tx = c.transaction()?;
            tx.execute_batch(
                "DELETE FROM patient_search; DELETE FROM patient_rows;
                 DELETE FROM document_search; DELETE FROM document_rows;
                 DELETE FROM search_term_list;
                 DELETE FROM files; DELETE FROM patients; DELETE FROM document_texts;
                 DELETE FROM reindex_pending;",
            )?;
            tx.commit()?;
            // Give the space back to the file system.
            c.execute_batch("VACUUM;")?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{new_key, CachedPatient, FileKey, FileView, QueuedUpload};

    /// Test files are named by their doc id; their patient is found again by the name.
    fn key(name: &str) -> FileKey {
        let mrn = match name {
            "pinned" => "2",
            _ => "1",
        };
        FileKey::new(mrn, FileView::Original, name)
    }

    async fn save(cache: &Cache, name: &str, mrn: &str, bytes: Vec<u8>, at: &str) {
        assert_eq!(key(name).mrn, mrn);
        let sha = chartdesk_domain::sha256_hex(&bytes);
        cache.save_file(&key(name), bytes, &sha, at).await.unwrap();
    }

    async fn patient(cache: &Cache, mrn: &str, opened: &str) {
        let p = CachedPatient {
            mrn: mrn.into(),
            nhs_number: format!("999{mrn}"),
            patient: "{}".into(),
            manifest: "{}".into(),
            manifest_etag: None,
            synced_at: opened.into(),
        };
        cache.save_patient(p, opened).await.unwrap();
    }

    #[tokio::test]
    async fn least_recently_opened_files_go_first_and_pinned_patients_and_the_outbox_stay() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        patient(&cache, "1", "2026-11-20T00:00:00Z").await;
        patient(&cache, "2", "2026-11-20T00:00:00Z").await;
        cache.pin("2", true).await.unwrap();
        for (name, mrn, at) in [
            ("old", "1", "2026-11-20T01:00:00Z"),
            ("new", "1", "2026-11-22T01:00:00Z"),
            ("pinned", "2", "2026-11-19T01:00:00Z"),
        ] {
            save(&cache, name, mrn, vec![0; 1000], at).await;
        }
        cache
            .outbox_rows()
            .queue_upload(QueuedUpload {
                doc_id: "q".into(),
                mrn: "1".into(),
                category: "lab".into(),
                file_name: "a.pdf".into(),
                replace_oldest: false,
                bytes: vec![0; 5000],
                sha256: "x".into(),
                queued_at: "2026-11-01T00:00:00Z".into(),
            })
            .await
            .unwrap();
        let evicted = cache
            .enforce_budget(2000, "2026-01-01T00:00:00Z")
            .await
            .unwrap();
        assert_eq!(
            evicted,
            Evicted {
                patients: 0,
                files: 1
            }
        );
        assert!(
            cache.file(&key("old")).await.unwrap().is_none(),
            "least recently opened"
        );
        assert!(cache.file(&key("new")).await.unwrap().is_some());
        assert!(
            cache.file(&key("pinned")).await.unwrap().is_some(),
            "pinned stays"
        );
        // Even a zero budget never touches pinned files or the outbox.
        cache
            .enforce_budget(0, "2026-01-01T00:00:00Z")
            .await
            .unwrap();
        assert!(cache.file(&key("pinned")).await.unwrap().is_some());
        assert_eq!(cache.outbox_rows().all().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn patients_not_opened_within_the_retention_time_are_purged_unless_pinned() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        patient(&cache, "1", "2026-09-01T00:00:00Z").await;
        patient(&cache, "2", "2026-09-01T00:00:00Z").await;
        patient(&cache, "3", "2026-11-20T00:00:00Z").await;
        save(&cache, "f1", "1", vec![1; 10], "2026-09-01T00:00:00Z").await;
        cache.pin("2", true).await.unwrap();
        let evicted = cache
            .enforce_budget(u64::MAX, "2026-10-24T00:00:00Z")
            .await
            .unwrap();
        assert_eq!(evicted.patients, 1);
        assert!(cache.patient("1").await.unwrap().is_none());
        assert!(
            cache.file(&key("f1")).await.unwrap().is_none(),
            "its files went with it"
        );
        assert!(cache.patient("2").await.unwrap().is_some(), "pinned");
        assert!(cache.patient("3").await.unwrap().is_some(), "recent");
        cache.clear_records().await.unwrap();
        assert!(cache.patient("3").await.unwrap().is_none());
    }
    #[tokio::test]
    async fn a_patient_opened_offline_every_day_still_leaves_when_the_cloud_last_confirmed_it_too_long_ago(
    ) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        patient(&cache, "1", "2026-09-01T00:00:00Z").await;
        // Opened yesterday from the offline copy: opened_at moves on, synced_at does not.
        cache.touch("1", "2026-11-30T00:00:00Z").await.unwrap();
        let evicted = cache
            .enforce_budget(u64::MAX, "2026-10-31T00:00:00Z")
            .await
            .unwrap();
        assert_eq!(evicted.patients, 1);
        assert!(cache.patient("1").await.unwrap().is_none());
    }
}
