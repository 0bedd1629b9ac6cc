//! The outbox: uploads written here in one transaction before anything leaves the machine,
//! removed only once S3 holds the objects (size and SHA-256 checked) and the manifest holds
//! the entry. The doc id is fixed at queue time, so every retry writes the same keys.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{outbox_chunks, sealed, CacheError};
use chartdesk_domain::Category;

/// A stored category id as staff read it; an unknown id (never written by this code) as stored.
fn category_label(id: &str) -> String {
    Category::from_id(id).map_or_else(|| id.to_string(), |c| c.label().to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for the network (or for the next try).
    Queued,
    /// Refused for a reason a retry cannot fix (e.g. preop full): the user decides.
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "failed" {
            OutboxState::Failed
        } else {
            OutboxState::Queued
        }
    }
}

/// The columns `item_from_row` reads.
const ITEM_COLUMNS: &str = "doc_id, mrn, category, file_name, COALESCE(size, length(bytes)), queued_at, state, attempts, last_error, last_error_code";

fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxItem> {
    Ok(OutboxItem {
        doc_id: r.get(0)?,
        mrn: r.get(1)?,
        category_label: category_label(&r.get::<_, String>(2)?),
        category: r.get(2)?,
        file_name: r.get(3)?,
        size: r.get::<_, i64>(4)? as u64,
        queued_at: r.get(5)?,
        state: OutboxState::parse(&r.get::<_, String>(6)?),
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        last_error_code: r.get(9)?,
    })
}

/// What the outbox shows (no file bytes).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct OutboxItem {
    pub doc_id: String,
    pub mrn: String,
    pub category: String,
    /// The category as staff read it ("OT notes"), from the one label the tiles use.
    pub category_label: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub size: u64,
    pub queued_at: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The `UiError` code of the last failure (e.g. `preop_full`: offer "Replace oldest").
    #[ts(type = "ApiErrorCode | null")]
    pub last_error_code: Option<String>,
}

/// An upload to queue, with its bytes.
pub struct QueuedUpload {
    pub doc_id: String,
    pub mrn: String,
    pub category: String,
    pub file_name: String,
    pub replace_oldest: bool,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub queued_at: String,
}

/// A file to queue straight from disk, checked by its size and first bytes before it is read.
pub struct QueuedFile {
    pub doc_id: String,
    pub mrn: String,
    pub category: String,
    pub file_name: String,
    pub replace_oldest: bool,
    pub path: std::path::PathBuf,
    /// The size checked against the limit: a file that changes size meanwhile is refused.
    pub size: u64,
    pub queued_at: String,
}

impl super::OutboxRows<'_> {
    /// Reads the file once, sealing it into the outbox folder (`sealed.rs`), then records it
    /// in a new outbox row; returns the SHA-256 (hex). Durable once this returns: the sealed
    /// file is fsynced before the row is committed (synchronous=FULL). The cache's
    /// connection is held only for the row, so sending goes on meanwhile.
    pub async fn queue_file(&self, file: QueuedFile) -> Result<String, CacheError> {
        let dir = sealed::dir_of(self.cache.path());
        let (doc_id, path, size) = (file.doc_id.clone(), file.path.clone(), file.size);
        let sealing = dir.clone();
        let (key, sha256) =
            tokio::task::spawn_blocking(move || sealed::seal_file(&sealing, &doc_id, &path, size))
                .await
                .map_err(|e| CacheError::Io(e.to_string()))??;
        let doc_id = file.doc_id.clone();
        let recorded = sha256.clone();
        let inserted = self
            .cache
            .execute(
                "INSERT INTO outbox (doc_id, mrn, category, file_name, replace_oldest, bytes, size, sha256, queued_at, state, file_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, zeroblob(0), ?6, ?7, ?8, 'queued', ?9)",
                vec![
                    file.doc_id.into(),
                    file.mrn.into(),
                    file.category.into(),
                    file.file_name.into(),
                    file.replace_oldest.into(),
                    i64::try_from(file.size).unwrap_or(i64::MAX).into(),
                    recorded.into(),
                    file.queued_at.into(),
                    key.to_vec().into(),
                ],
            )
            .await;
        if let Err(e) = inserted {
            sealed::remove(&dir, &doc_id);
            return Err(e);
        }
        Ok(sha256)
    }

    /// Durable once this returns (one transaction, synchronous=FULL).
    pub async fn queue_upload(&self, upload: QueuedUpload) -> Result<(), CacheError> {
        self.cache.run(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO outbox (doc_id, mrn, category, file_name, replace_oldest, bytes, sha256, queued_at, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued')",
                params![
                    upload.doc_id,
                    upload.mrn,
                    upload.category,
                    upload.file_name,
                    upload.replace_oldest,
                    upload.bytes,
                    upload.sha256,
                    upload.queued_at
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Everything waiting, oldest first.
    pub async fn all(&self) -> Result<Vec<OutboxItem>, CacheError> {
        self.cache
            .run(|c| {
                let mut statement = c.prepare(&format!(
                    "SELECT {ITEM_COLUMNS} FROM outbox ORDER BY queued_at, doc_id"
                ))?;
                let rows = statement.query_map([], item_from_row)?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }

    /// One item as the outbox shows it; `None` once it has left.
    pub async fn item(&self, doc_id: &str) -> Result<Option<OutboxItem>, CacheError> {
        let doc_id = doc_id.to_string();
        self.cache
            .run(move |c| {
                Ok(c.query_row(
                    &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE doc_id = ?1"),
                    [doc_id],
                    item_from_row,
                )
                .optional()?)
            })
            .await
    }

    /// The queued file's bytes and whether the user chose "replace oldest".
    pub async fn file(&self, doc_id: &str) -> Result<Option<(Vec<u8>, bool)>, CacheError> {
        let id = doc_id.to_string();
        let found = self
            .cache
            .run(move |c| {
                let row: Option<(Vec<u8>, bool, Option<i64>, bool)> = c
                    .query_row(
                        "SELECT bytes, replace_oldest, size, file_key IS NOT NULL FROM outbox WHERE doc_id = ?1",
                        params![id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                let Some((inline, replace_oldest, size, sealed)) = row else {
                    return Ok(None);
                };
                if sealed {
                    return Ok(Some((None, replace_oldest, size)));
                }
                let bytes = outbox_chunks::read(c, &id)?.unwrap_or(inline);
                Ok(Some((Some(bytes), replace_oldest, size)))
            })
            .await?;
        match found {
            None => Ok(None),
            Some((Some(bytes), replace_oldest, _)) => Ok(Some((bytes, replace_oldest))),
            Some((None, replace_oldest, size)) => {
                let size = usize::try_from(size.unwrap_or(0)).unwrap_or(usize::MAX);
                let bytes = self.range(doc_id, 0, size).await?;
                Ok(Some((bytes, replace_oldest)))
            }
        }
    }

    /// Records a try that did not finish, with the error's words and its code.
    pub async fn failed(
        &self,
        doc_id: &str,
        state: OutboxState,
        error: &str,
        code: &str,
    ) -> Result<(), CacheError> {
        self.cache
            .execute(
                "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,
                 last_error_code = ?4 WHERE doc_id = ?1",
                vec![
                    doc_id.to_string().into(),
                    state.as_str().to_string().into(),
                    error.to_string().into(),
                    code.to_string().into(),
                ],
            )
            .await
            .map(|_| ())
    }

    /// The user's answer to "preop is full": retry, replacing the oldest.
    pub async fn retry(&self, doc_id: &str, replace_oldest: bool) -> Result<(), CacheError> {
        self.cache
            .execute(
                "UPDATE outbox SET state = 'queued', replace_oldest = ?2 WHERE doc_id = ?1",
                vec![doc_id.to_string().into(), replace_oldest.into()],
            )
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::new_key;
    use crate::cache::Cache;

    fn queued(id: &str) -> QueuedUpload {
        QueuedUpload {
            doc_id: id.into(),
            mrn: "10000001".into(),
            category: "lab".into(),
            file_name: "a.pdf".into(),
            replace_oldest: false,
            bytes: b"%PDF-1.7 x".to_vec(),
            sha256: "00".into(),
            queued_at: format!("2026-11-23T10:00:0{id}Z"),
        }
    }

    fn file_to_queue(dir: &std::path::Path, bytes: &[u8], size: u64) -> QueuedFile {
        let path = dir.join("scan.pdf");
        std::fs::write(&path, bytes).unwrap();
        QueuedFile {
            doc_id: "f1".into(),
            mrn: "10000001".into(),
            category: "lab".into(),
            file_name: "scan.pdf".into(),
            replace_oldest: true,
            path,
            size,
            queued_at: "2026-11-23T10:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn a_file_queued_from_disk_reads_back_whole_with_its_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let bytes: Vec<u8> = (0..3_500_001u32).map(|i| (i % 253) as u8).collect();
        let sha = cache
            .outbox_rows()
            .queue_file(file_to_queue(dir.path(), &bytes, bytes.len() as u64))
            .await
            .unwrap();
        assert_eq!(sha, chartdesk_domain::sha256_hex(&bytes));
        let (stored, replace_oldest) = cache.outbox_rows().file("f1").await.unwrap().unwrap();
        assert_eq!(stored, bytes);
        assert!(replace_oldest);
        assert_eq!(
            cache.outbox_rows().all().await.unwrap()[0].size,
            bytes.len() as u64
        );
    }

    #[tokio::test]
    async fn a_file_of_several_chunks_reads_back_in_any_range_and_leaves_nothing_once_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let size = 2 * outbox_chunks::CHUNK + 12_345;
        let bytes: Vec<u8> = (0..size as u32).map(|i| (i % 251) as u8).collect();
        let sha = cache
            .outbox_rows()
            .queue_file(file_to_queue(dir.path(), &bytes, size as u64))
            .await
            .unwrap();
        assert_eq!(sha, chartdesk_domain::sha256_hex(&bytes));
        let sealed = dir.path().join("c.outbox").join("f1.sealed");
        assert!(sealed.exists(), "sealed in a file of its own");
        let at = outbox_chunks::CHUNK - 10;
        let across = cache
            .outbox_rows()
            .range("f1", at as u64, 20)
            .await
            .unwrap();
        assert_eq!(across, &bytes[at..at + 20], "a range across two chunks");
        let tail = cache
            .outbox_rows()
            .range("f1", (size - 5) as u64, 100)
            .await
            .unwrap();
        assert_eq!(tail, &bytes[size - 5..], "fewer at the end");
        let item = cache.outbox_rows().chunked("f1").await.unwrap().unwrap();
        assert_eq!(
            (item.size, item.sha256.as_str()),
            (size as u64, sha.as_str())
        );
        assert_eq!(item.head, &bytes[..chartdesk_domain::SNIFF_BYTES as usize]);
        assert_eq!(
            cache.outbox_rows().file("f1").await.unwrap().unwrap().0,
            bytes
        );
        assert_eq!(
            cache.outbox_rows().all().await.unwrap()[0].size,
            size as u64
        );
        cache.outbox_rows().remove("f1").await.unwrap();
        assert!(!sealed.exists(), "its file goes with its row");
        assert!(cache.outbox_rows().file("f1").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_file_that_changed_size_since_it_was_checked_leaves_nothing_queued() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let grew = cache
            .outbox_rows()
            .queue_file(file_to_queue(dir.path(), b"%PDF-1.7 longer", 9))
            .await;
        assert!(grew.is_err());
        let shrank = cache
            .outbox_rows()
            .queue_file(file_to_queue(dir.path(), b"%PDF", 9))
            .await;
        assert!(shrank.is_err());
        assert!(
            cache.outbox_rows().all().await.unwrap().is_empty(),
            "nothing half-written is queued"
        );
    }

    #[tokio::test]
    async fn a_queued_upload_survives_reopening_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let key = new_key().unwrap();
        let cache = Cache::open(&path, &key).unwrap();
        cache.outbox_rows().queue_upload(queued("1")).await.unwrap();
        cache.outbox_rows().queue_upload(queued("2")).await.unwrap();
        drop(cache);
        let cache = Cache::open(&path, &key).unwrap();
        let items = cache.outbox_rows().all().await.unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].doc_id, "1");
        assert_eq!(items[0].size, 10);
        cache
            .outbox_rows()
            .failed(
                "1",
                OutboxState::Failed,
                &chartdesk_domain::AttachError::PreopFull.to_string(),
                "preop_full",
            )
            .await
            .unwrap();
        let failed = &cache.outbox_rows().all().await.unwrap()[0];
        assert_eq!((failed.state, failed.attempts), (OutboxState::Failed, 1));
        assert_eq!(failed.last_error_code.as_deref(), Some("preop_full"));
        cache.outbox_rows().retry("1", true).await.unwrap();
        assert!(cache.outbox_rows().file("1").await.unwrap().unwrap().1);
        cache.outbox_rows().remove("1").await.unwrap();
        assert_eq!(cache.outbox_rows().all().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_same_document_cannot_be_queued_twice() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        cache.outbox_rows().queue_upload(queued("1")).await.unwrap();
        assert!(cache.outbox_rows().queue_upload(queued("1")).await.is_err());
    }
}
