//! Files a user opened (originals, optimized images, thumbnails), kept for offline viewing.
//! Document ids need not be unique across patients, so a file is kept under its patient, its
//! rendition and its id together, with the SHA-256 it was checked against when it came: every
//! read hashes the bytes again and treats a mismatch as not kept. A newer copy replaces the
//! old one; the first bytes are never kept for good.

use rusqlite::{params, OptionalExtension};

use super::{Cache, CacheError};
use chartdesk_domain::sha256_hex;

/// Which rendition of a document a kept file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileView {
    Original,
    /// The 1600 px JPEG.
    Optimized,
    /// The 320 px JPEG shown in lists.
    Thumbnail,
}

impl FileView {
    fn as_str(self) -> &'static str {
        match self {
            FileView::Original => "original",
            FileView::Optimized => "optimized",
            FileView::Thumbnail => "thumbnail",
        }
    }
}

/// Where a file is kept: one patient's rendition of one document.
#[derive(Clone, PartialEq, Eq)]
pub struct FileKey {
    pub mrn: String,
    pub view: FileView,
    pub doc_id: String,
}

impl FileKey {
    pub fn new(mrn: &str, view: FileView, doc_id: &str) -> Self {
        Self {
            mrn: mrn.to_string(),
            view,
            doc_id: doc_id.to_string(),
        }
    }
}

impl Cache {
    /// Keeps `bytes` under `key` (its patient must be cached), replacing any copy there.
    /// `sha256` is the lower-case hex digest they were checked against (the server's, or their
    /// own for a rendition the server gives none for); bytes that do not match are refused.
    pub async fn save_file(
        &self,
        key: &FileKey,
        bytes: Vec<u8>,
        sha256: &str,
        now: &str,
    ) -> Result<(), CacheError> {
        if sha256_hex(&bytes) != sha256 {
            return Err(CacheError::Database(
                "a file did not match its checksum and was not kept".into(),
            ));
        }
        let (key, sha256, now) = (key.clone(), sha256.to_string(), now.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT INTO files (mrn, view, doc_id, sha256, bytes, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(mrn, view, doc_id) DO UPDATE SET sha256 = ?4, bytes = ?5, opened_at = ?6",
                params![key.mrn, key.view.as_str(), key.doc_id, sha256, bytes, now],
            )?;
            Ok(())
        })
        .await
    }

    /// The bytes kept under `key` when they still hash to what they were checked against;
    /// otherwise `None`, and the damaged copy goes.
    pub async fn file(&self, key: &FileKey) -> Result<Option<Vec<u8>>, CacheError> {
        let key = key.clone();
        self.run(move |c| {
            let kept: Option<(String, Vec<u8>)> = c
                .query_row(
                    "SELECT sha256, bytes FROM files WHERE mrn = ?1 AND view = ?2 AND doc_id = ?3",
                    params![key.mrn, key.view.as_str(), key.doc_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match kept {
                Some((sha256, bytes)) if sha256_hex(&bytes) == sha256 => Ok(Some(bytes)),
                Some(_) => {
                    c.execute(
                        "DELETE FROM files WHERE mrn = ?1 AND view = ?2 AND doc_id = ?3",
                        params![key.mrn, key.view.as_str(), key.doc_id],
                    )?;
                    Ok(None)
                }
                None => Ok(None),
            }
        })
        .await
    }

    /// Whether a file is kept under `key`, without reading it.
    pub async fn has_file(&self, key: &FileKey) -> Result<bool, CacheError> {
        let key = key.clone();
        self.run(move |c| {
            Ok(c.query_row(
                "SELECT 1 FROM files WHERE mrn = ?1 AND view = ?2 AND doc_id = ?3",
                params![key.mrn, key.view.as_str(), key.doc_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{new_key, CachedPatient};

    async fn cache_with_patients(dir: &std::path::Path, mrns: &[&str]) -> Cache {
        let cache = Cache::open(&dir.join("c.db"), &new_key().unwrap()).unwrap();
        for mrn in mrns {
            let p = CachedPatient {
                mrn: mrn.to_string(),
                nhs_number: format!("9{mrn}"),
                patient: "{}".into(),
                manifest: "{}".into(),
                manifest_etag: None,
                synced_at: "2026-11-20T00:00:00Z".into(),
            };
            cache.save_patient(p, "2026-11-20T00:00:00Z").await.unwrap();
        }
        cache
    }

    const AT: &str = "2026-11-20T00:00:00Z";

    #[tokio::test]
    async fn a_file_kept_under_one_patient_is_never_answered_for_another_with_the_same_doc_id() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache_with_patients(dir.path(), &["100001", "100002"]).await;
        let z = FileKey::new("100001", FileView::Thumbnail, "d");
        let zs = b"Z's X-ray".to_vec();
        cache
            .save_file(&z, zs.clone(), &sha256_hex(&zs), AT)
            .await
            .unwrap();

        let x = FileKey::new("100002", FileView::Thumbnail, "d");
        assert_eq!(
            cache.file(&x).await.unwrap(),
            None,
            "never another patient's"
        );
        assert!(!cache.has_file(&x).await.unwrap());
        let other_view = FileKey::new("100001", FileView::Optimized, "d");
        assert_eq!(
            cache.file(&other_view).await.unwrap(),
            None,
            "nor another rendition"
        );
        assert_eq!(cache.file(&z).await.unwrap(), Some(zs));
    }

    #[tokio::test]
    async fn a_newer_copy_replaces_the_kept_one_and_bytes_not_matching_their_checksum_are_refused()
    {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache_with_patients(dir.path(), &["100001"]).await;
        let key = FileKey::new("100001", FileView::Original, "d");
        let (old, new) = (b"first".to_vec(), b"second".to_vec());
        cache
            .save_file(&key, old.clone(), &sha256_hex(&old), AT)
            .await
            .unwrap();
        cache
            .save_file(&key, new.clone(), &sha256_hex(&new), AT)
            .await
            .unwrap();
        assert_eq!(
            cache.file(&key).await.unwrap(),
            Some(new.clone()),
            "replaced"
        );
        assert!(cache
            .save_file(&key, b"other".to_vec(), &sha256_hex(&old), AT)
            .await
            .is_err());
        assert_eq!(
            cache.file(&key).await.unwrap(),
            Some(new),
            "unchanged by the refusal"
        );
    }

    #[tokio::test]
    async fn a_kept_file_whose_bytes_no_longer_match_its_checksum_is_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache_with_patients(dir.path(), &["100001"]).await;
        let key = FileKey::new("100001", FileView::Optimized, "d");
        let bytes = b"image".to_vec();
        cache
            .save_file(&key, bytes.clone(), &sha256_hex(&bytes), AT)
            .await
            .unwrap();
        cache
            .run(|c| Ok(c.execute("UPDATE files SET bytes = x'00'", [])?))
            .await
            .unwrap();
        assert_eq!(cache.file(&key).await.unwrap(), None);
        assert!(
            !cache.has_file(&key).await.unwrap(),
            "the damaged copy went"
        );
    }
}
