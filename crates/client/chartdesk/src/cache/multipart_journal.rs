//! The outbox's memory of multipart uploads in flight: upload id and accepted parts per key.

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use rusqlite::{params, OptionalExtension};

use super::Cache;
use chartdesk_records::store::part_journal::{PartJournal, RecordedPart, RecordedUpload};

impl PartJournal for Cache {
    fn recall<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<RecordedUpload>> {
        let key = key.to_string();
        async move {
            let row: Option<(String, String)> = self
                .run(move |c| {
                    Ok(c.query_row(
                        "SELECT upload_id, parts FROM multipart WHERE key = ?1",
                        params![key],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?)
                })
                .await
                .ok()
                .flatten();
            let (upload_id, parts) = row?;
            let parts = serde_json::from_str(&parts).ok()?;
            Some(RecordedUpload { upload_id, parts })
        }
        .boxed()
    }

    fn started<'a>(&'a self, key: &'a str, upload_id: &'a str) -> BoxFuture<'a, ()> {
        let values = vec![key.to_string().into(), upload_id.to_string().into()];
        async move {
            let _ = self
                .execute(
                    "INSERT OR REPLACE INTO multipart (key, upload_id, parts) VALUES (?1, ?2, '[]')",
                    values,
                )
                .await;
        }
        .boxed()
    }

    fn part_done<'a>(&'a self, key: &'a str, part: RecordedPart) -> BoxFuture<'a, ()> {
        let key = key.to_string();
        async move {
            // Read-modify-write in one transaction: parts finish in parallel.
            let _ = self
                .run(move |c| {
                    let tx = c.transaction()?;
                    let parts: Option<String> = tx
                        .query_row(
                            "SELECT parts FROM multipart WHERE key = ?1",
                            params![key],
                            |r| r.get(0),
                        )
                        .optional()?;
                    let mut parts: Vec<RecordedPart> = parts
                        .and_then(|p| serde_json::from_str(&p).ok())
                        .unwrap_or_default();
                    parts.retain(|p| p.number != part.number);
                    parts.push(part);
                    let json = serde_json::to_string(&parts).unwrap_or_else(|_| "[]".into());
                    tx.execute(
                        "UPDATE multipart SET parts = ?2 WHERE key = ?1",
                        params![key, json],
                    )?;
                    tx.commit()?;
                    Ok(())
                })
                .await;
        }
        .boxed()
    }

    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()> {
        let values = vec![key.to_string().into()];
        async move {
            let _ = self
                .execute("DELETE FROM multipart WHERE key = ?1", values)
                .await;
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::new_key;

    #[tokio::test]
    async fn parts_recorded_in_any_order_are_recalled_until_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        assert!(cache.recall("k").await.is_none());
        cache.started("k", "up-1").await;
        for n in [2, 1, 2] {
            let part = RecordedPart {
                number: n,
                etag: format!("e{n}"),
                sha256: "s".into(),
            };
            cache.part_done("k", part).await;
        }
        let recalled = cache.recall("k").await.unwrap();
        assert_eq!(recalled.upload_id, "up-1");
        assert_eq!(recalled.parts.len(), 2, "a part recorded twice counts once");
        cache.forget("k").await;
        assert!(cache.recall("k").await.is_none());
    }
}
