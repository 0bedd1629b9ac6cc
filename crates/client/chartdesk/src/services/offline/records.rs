//! The patients kept in the offline copy: read back, kept after each live read, and indexed
//! for offline search.

use std::collections::HashMap;

use tracing::warn;

use super::OfflineStore;
use crate::cache::{Cache, CachedPatient, IndexRow};
use chartdesk_domain::{Manifest, Patient};
use chartdesk_records::PatientRecord;

impl OfflineStore {
    /// The cached record for an MRN, with when it was last synced.
    pub async fn record(&self, cache: &Cache, mrn: &str) -> Option<(PatientRecord, String)> {
        decode(cache.patient(mrn).await.ok()??)
    }

    /// The cached record with this NHS number, with when it was last synced.
    pub async fn record_by_nhs(
        &self,
        cache: &Cache,
        nhs_digits: &str,
    ) -> Option<(PatientRecord, String)> {
        decode(cache.patient_by_nhs(nhs_digits).await.ok()??)
    }

    /// Keeps a patient the user opened (best effort: the screen never waits on the cache).
    pub async fn remember(&self, cache: &Cache, record: &PatientRecord) {
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
            warn!(kind = e.kind(), "could not keep the patient offline");
        }
        self.reindex(cache, record).await;
    }

    /// The patient's offline search rows rebuilt, with the texts of the documents held.
    pub async fn reindex(&self, cache: &Cache, record: &PatientRecord) {
        let mrn = record.patient.mrn.as_ref();
        let texts = cache.document_texts(mrn).await.unwrap_or_default();
        let _ = cache.index_patient(mrn, index_rows(record, &texts)).await;
    }

    /// Rebuilds the rows of every patient indexed under an older rule (`reindex_pending`, set
    /// by a migration), from the record and texts kept, `REINDEX_BATCH` patients a transaction.
    /// A record that is gone or no longer decodes loses its rows: its words must not outlive
    /// the rule that would now withhold them. One that cannot be read now keeps its mark (and
    /// the search leaves its documents out) until the next open.
    pub async fn reindex_stale(&self, cache: &Cache) {
        let mrns = match cache.reindex_marks().pending().await {
            Ok(mrns) => mrns,
            Err(e) => {
                warn!(kind = e.kind(), "offline search index not checked");
                return;
            }
        };
        for batch in mrns.chunks(REINDEX_BATCH) {
            let mut rebuilt = Vec::with_capacity(batch.len());
            for mrn in batch {
                let (cached, texts) =
                    match (cache.patient(mrn).await, cache.document_texts(mrn).await) {
                        (Ok(cached), Ok(texts)) => (cached, texts),
                        (Err(e), _) | (_, Err(e)) => {
                            warn!(kind = e.kind(), "a kept patient not reindexed yet");
                            continue;
                        }
                    };
                let rows = match cached.and_then(decode) {
                    Some((record, _)) => index_rows(&record, &texts),
                    None => Vec::new(),
                };
                rebuilt.push((mrn.clone(), rows));
            }
            // One patient whose rows cannot be written must not hold back the batch's others.
            if cache.reindex_marks().write(rebuilt.clone()).await.is_err() {
                for one in rebuilt {
                    if let Err(e) = cache.reindex_marks().write(vec![one]).await {
                        warn!(kind = e.kind(), "a kept patient not reindexed yet");
                    }
                }
            }
        }
    }

    /// The server said the cached copy is current (best effort).
    pub async fn mark_synced(&self, cache: &Cache, mrn: &str) {
        let _ = cache.mark_synced(mrn, &self.now_text()).await;
    }

    /// The patient was opened from the cache: the budget keeps recently opened ones longest.
    pub async fn touch(&self, cache: &Cache, mrn: &str) {
        let _ = cache.touch(mrn, &self.now_text()).await;
    }
}

/// Patients rebuilt in one transaction (one fsync) by `reindex_stale`.
const REINDEX_BATCH: usize = 100;

fn decode(cached: CachedPatient) -> Option<(PatientRecord, String)> {
    let patient: Patient = serde_json::from_str(&cached.patient).ok()?;
    let manifest: Manifest = serde_json::from_str(&cached.manifest).ok()?;
    let record = PatientRecord {
        patient,
        manifest,
        manifest_etag: cached.manifest_etag,
    };
    Some((record, cached.synced_at))
}

/// The patient's search rows: demographics, then each attached document, with the words of
/// its text where this computer holds it (`texts`, by document id). A document the record
/// withholds (infected, failed, not yet checked: `chartdesk_domain::withheld`) is found by its
/// name, as its list shows it, never by words read inside it.
pub fn index_rows(record: &PatientRecord, texts: &HashMap<String, String>) -> Vec<IndexRow> {
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
        if d.status != chartdesk_domain::DocumentStatus::Attached {
            continue;
        }
        let id = d.id.to_string();
        let words = match chartdesk_domain::withheld(d) {
            Some(_) => "",
            None => texts.get(&id).map(String::as_str).unwrap_or_default(),
        };
        rows.push(IndexRow {
            label: format!("{}: {} — {name}", d.category.label(), d.file_name),
            text: format!(
                "{} {} {} {} {words}",
                d.file_name,
                d.category.label(),
                d.uploaded_by,
                crate::cache::search_index::index_date(d.created.date())
            ),
            doc_id: id,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chartdesk_domain::{Category, DocumentEntry, DocumentStatus, Mrn, NhsNumber, ScanStatus};

    fn document(file_name: &str, scan_status: ScanStatus) -> DocumentEntry {
        DocumentEntry {
            id: uuid::Uuid::now_v7(),
            category: Category::Lab,
            file_name: file_name.into(),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "00".repeat(32),
            created: time::macros::datetime!(2026-12-01 09:00 UTC),
            uploaded_by: "nurse.hughes".into(),
            variants: Vec::new(),
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status,
            status_change: None,
            processing: None,
        }
    }

    /// Amara Whitfield's record holding `clean` and `infected`.
    fn record_with(clean: &DocumentEntry, infected: &DocumentEntry) -> PatientRecord {
        let mut manifest = Manifest::new();
        manifest.add(clean.clone());
        manifest.add(infected.clone());
        PatientRecord {
            patient: Patient {
                mrn: Mrn::from_stored("10000001").unwrap(),
                nhs_number: NhsNumber::parse("9434765919").unwrap(),
                given_name: "Amara".into(),
                family_name: "Whitfield".into(),
                birth_date: time::macros::date!(1958 - 03 - 14),
                postcode: "LS1 4AP".into(),
                gender: Default::default(),
                flags: Default::default(),
                superseded_by: None,
            },
            manifest,
            manifest_etag: Some("e1".into()),
        }
    }

    #[test]
    fn words_read_in_a_document_the_record_now_withholds_are_not_searchable_offline() {
        let (clean, infected) = (
            document("clean.pdf", ScanStatus::Clean),
            document("flagged.pdf", ScanStatus::Infected),
        );
        let record = record_with(&clean, &infected);
        let texts = HashMap::from([
            (clean.id.to_string(), "haemoglobin".to_string()),
            (infected.id.to_string(), "potassium".to_string()),
        ]);
        let rows = index_rows(&record, &texts);
        let text_of = |d: &DocumentEntry| {
            let id = d.id.to_string();
            rows.iter().find(|r| r.doc_id == id).unwrap().text.clone()
        };
        assert!(text_of(&clean).contains("haemoglobin"));
        let flagged = text_of(&infected);
        assert!(
            flagged.contains("flagged.pdf"),
            "still found by name: {flagged}"
        );
        assert!(
            !flagged.contains("potassium"),
            "not by its words: {flagged}"
        );
    }

    /// Needs a kernel keyring for the cache's key (the test command gives it a session).
    #[tokio::test]
    async fn a_patient_indexed_under_the_old_rule_loses_withheld_words_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let env = |k: &str| {
            let v = match k {
                "CHARTDESK_REGION" => "eu-west-2",
                "CHARTDESK_USER_POOL_ID" => "eu-west-2_p",
                "CHARTDESK_CLIENT_ID" => "reindex-test",
                "CHARTDESK_KEYCHAIN" => "keyutils",
                _ => return None,
            };
            Some(v.to_string())
        };
        let config = crate::config::ConfigFile::default();
        let profile = crate::config::Profile::resolve(&config, "ward", env).unwrap();
        let store = OfflineStore::new(&profile, crate::services::system_clock())
            .with_dir(dir.path().to_path_buf());
        // A new database each run (the folder is new), under the one key this user keeps.
        let user = "nurse.reindex";
        let cache = store.open(user).await.unwrap();
        let (clean, infected) = (
            document("clean.pdf", ScanStatus::Clean),
            document("flagged.pdf", ScanStatus::Infected),
        );
        let record = record_with(&clean, &infected);
        let mrn = record.patient.mrn.to_string();
        for (d, words) in [(&clean, "haemoglobin"), (&infected, "potassium")] {
            let id = d.id.to_string();
            cache
                .save_document_text(&mrn, &id, words.into())
                .await
                .unwrap();
        }
        store.remember(&cache, &record).await;
        // As the rule before it indexed: every kept text, withheld or not; then the upgrade's mark.
        let mut stale = index_rows(&record, &HashMap::new());
        for row in &mut stale {
            if row.doc_id == clean.id.to_string() {
                row.text.push_str(" haemoglobin");
            } else if row.doc_id == infected.id.to_string() {
                row.text.push_str(" potassium");
            }
        }
        cache.index_patient(&mrn, stale).await.unwrap();
        let marked = mrn.clone();
        cache
            .run(move |c| {
                c.execute("INSERT INTO reindex_pending (mrn) VALUES (?1)", [marked])?;
                Ok(())
            })
            .await
            .unwrap();
        let found = |cache: Cache, typed: &'static str| async move {
            let hits = cache.search(typed, 10).await.unwrap();
            hits.into_iter().map(|h| h.doc_id).collect::<Vec<_>>()
        };
        // Until it is rebuilt, none of the patient's documents is found: any may hold words
        // the record now withholds.
        assert!(found(cache.clone(), "potassium").await.is_empty());
        assert!(found(cache.clone(), "flagged").await.is_empty());
        drop(cache);

        store.close().await;
        let cache = store.open(user).await.unwrap();

        let infected_id = infected.id.to_string();
        assert!(
            found(cache.clone(), "potassium").await.is_empty(),
            "its words are gone"
        );
        assert_eq!(
            found(cache.clone(), "flagged").await,
            [infected_id],
            "found by its name"
        );
        assert_eq!(
            found(cache.clone(), "haemoglobin").await,
            [clean.id.to_string()]
        );
        assert!(cache.reindex_marks().pending().await.unwrap().is_empty());
    }
}
