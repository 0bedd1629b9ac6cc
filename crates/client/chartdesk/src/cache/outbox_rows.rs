//! The handle the outbox's operations hang on (`outbox.rs` queues and reads back,
//! `outbox_chunks.rs` reads large files in ranges, removal is here), so the cache itself stays
//! small.

use rusqlite::params;

use super::{sealed, Cache, CacheError};

/// The outbox's rows in the cache, reached by `cache.outbox_rows()`: queueing, reading back,
/// the user's decisions, removal once sent.
#[derive(Clone, Copy)]
pub struct OutboxRows<'a> {
    pub(super) cache: &'a Cache,
}

impl Cache {
    pub fn outbox_rows(&self) -> OutboxRows<'_> {
        OutboxRows { cache: self }
    }
}

impl OutboxRows<'_> {
    /// Only after S3 and the manifest confirmed the document (or the user discarded it).
    pub async fn remove(&self, doc_id: &str) -> Result<(), CacheError> {
        self.remove_all(vec![doc_id.to_string()]).await
    }

    /// Several items in one transaction: a batch the server attached together costs the
    /// outbox one sync, not one each; those syncs sat between one complete and the next
    /// (issue 25, about 4 ms a file).
    pub async fn remove_all(&self, doc_ids: Vec<String>) -> Result<(), CacheError> {
        let removed = self
            .cache
            .run(move |c| {
                let tx = c.transaction()?;
                for doc_id in &doc_ids {
                    tx.execute(
                        "DELETE FROM outbox_chunks WHERE doc_id = ?1",
                        params![doc_id],
                    )?;
                    tx.execute("DELETE FROM outbox WHERE doc_id = ?1", params![doc_id])?;
                }
                tx.commit()?;
                Ok(doc_ids)
            })
            .await?;
        let dir = sealed::dir_of(self.cache.path());
        for doc_id in &removed {
            sealed::remove(&dir, doc_id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::cache::{new_key, Cache, QueuedFile};

    // Not `outbox.rs`'s fixture: naming that module from here would make the two a cycle,
    // which the architecture test forbids.
    fn file(dir: &std::path::Path, doc_id: &str) -> QueuedFile {
        let path = dir.join(format!("{doc_id}.pdf"));
        std::fs::write(&path, b"%PDF-1.7 scan").unwrap();
        QueuedFile {
            doc_id: doc_id.into(),
            mrn: "10000001".into(),
            category: "lab".into(),
            file_name: "scan.pdf".into(),
            replace_oldest: false,
            path,
            size: 13,
            queued_at: "2026-12-08T10:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn items_removed_together_take_their_sealed_files_and_leave_the_rest_queued() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        for id in ["a1", "b2", "c3"] {
            cache
                .outbox_rows()
                .queue_file(file(dir.path(), id))
                .await
                .unwrap();
        }
        let sealed = |id: &str| {
            super::sealed::dir_of(cache.path())
                .join(format!("{id}.sealed"))
                .exists()
        };
        assert!(sealed("a1") && sealed("b2") && sealed("c3"));

        let rows = cache.outbox_rows();
        rows.remove_all(vec!["a1".into(), "c3".into()])
            .await
            .unwrap();

        let left: Vec<String> = rows
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.doc_id)
            .collect();
        assert_eq!(left, ["b2"]);
        assert!(!sealed("a1") && sealed("b2") && !sealed("c3"));
    }
}
