//! Reading a queued file a part at a time, whichever way it was kept: sealed in a file of its
//! own (`sealed.rs`, issue 25 item 1), or, for items queued by an earlier version, in 4 MiB
//! chunk rows (issue 10 item 5) or inline in `outbox.bytes`.

use rusqlite::{params, Connection, OptionalExtension};

use super::CacheError;

pub const CHUNK: usize = 4 * 1024 * 1024;

/// The chunks of `doc_id` joined, or `None` when it has none (bytes kept the old way).
pub fn read(c: &Connection, doc_id: &str) -> Result<Option<Vec<u8>>, CacheError> {
    let size: Option<i64> = c
        .query_row(
            "SELECT sum(length(bytes)) FROM outbox_chunks WHERE doc_id = ?1",
            params![doc_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(size) = size else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut statement =
        c.prepare("SELECT bytes FROM outbox_chunks WHERE doc_id = ?1 ORDER BY seq")?;
    let mut rows = statement.query(params![doc_id])?;
    while let Some(row) = rows.next()? {
        bytes.extend_from_slice(blob(row)?);
    }
    Ok(Some(bytes))
}

/// A chunk's bytes as SQLite holds them for the current row.
fn blob<'r>(row: &'r rusqlite::Row<'_>) -> Result<&'r [u8], CacheError> {
    let value = row.get_ref(0)?;
    value.as_blob().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
            .into()
    })
}

/// What sending a chunked item needs before any of its bytes: they are then read a part at a
/// time (`OutboxRows::range`), so sending never holds the whole file either.
#[derive(Debug, Clone)]
pub struct ChunkedItem {
    pub size: u64,
    /// Hex, taken as the file was queued.
    pub sha256: String,
    pub replace_oldest: bool,
    /// The first bytes (`SNIFF_BYTES` of them), for the type check.
    pub head: Vec<u8>,
}

impl super::OutboxRows<'_> {
    /// A queued item kept in chunks or sealed (`sealed.rs`); `None` when its bytes are inline
    /// (queued from memory) or it is gone.
    pub async fn chunked(&self, doc_id: &str) -> Result<Option<ChunkedItem>, CacheError> {
        let id = doc_id.to_string();
        let found = self
            .cache
            .run(move |c| {
                let row: Option<(Option<i64>, String, bool, bool)> = c
                    .query_row(
                        "SELECT size, sha256, replace_oldest, file_key IS NOT NULL FROM outbox WHERE doc_id = ?1",
                        params![id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                let Some((Some(size), sha256, replace_oldest, sealed)) = row else {
                    return Ok(None);
                };
                let head: Option<Vec<u8>> = match sealed {
                    true => Some(Vec::new()),
                    false => c
                        .query_row(
                            "SELECT substr(bytes, 1, ?2) FROM outbox_chunks WHERE doc_id = ?1 AND seq = 0",
                            params![id, chartdesk_domain::SNIFF_BYTES as i64],
                            |r| r.get(0),
                        )
                        .optional()?,
                };
                Ok(head.map(|head| {
                    let item = ChunkedItem {
                        size: u64::try_from(size).unwrap_or(0),
                        sha256,
                        replace_oldest,
                        head,
                    };
                    (item, sealed)
                }))
            })
            .await?;
        let Some((mut item, true)) = found else {
            return Ok(found.map(|(item, _)| item));
        };
        // A sealed file's first bytes are read from it, without the connection.
        item.head = self
            .range(doc_id, 0, chartdesk_domain::SNIFF_BYTES as usize)
            .await?;
        Ok(Some(item))
    }

    /// `len` bytes of a queued item from `start` (fewer at its end): from its sealed file, or
    /// the chunks they lie in.
    pub async fn range(&self, doc_id: &str, start: u64, len: usize) -> Result<Vec<u8>, CacheError> {
        let id = doc_id.to_string();
        let sealed_key = self
            .cache
            .run(move |c| {
                let row: Option<(Option<i64>, Option<Vec<u8>>)> = c
                    .query_row(
                        "SELECT size, file_key FROM outbox WHERE doc_id = ?1",
                        params![id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                Ok(row.and_then(|(size, key)| Some((size?, key?))))
            })
            .await?;
        let Some((size, key)) = sealed_key else {
            return self.chunk_range(doc_id, start, len).await;
        };
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| CacheError::Io("a file waiting in the outbox is damaged".into()))?;
        let dir = super::sealed::dir_of(self.cache.path());
        let id = doc_id.to_string();
        let size = u64::try_from(size).unwrap_or(0);
        tokio::task::spawn_blocking(move || {
            super::sealed::read_range(&dir, &id, &key, size, start, len)
        })
        .await
        .map_err(|e| CacheError::Io(e.to_string()))?
    }

    /// As `range`, for an item kept in chunk rows (queued before sealed files).
    async fn chunk_range(
        &self,
        doc_id: &str,
        start: u64,
        len: usize,
    ) -> Result<Vec<u8>, CacheError> {
        let doc_id = doc_id.to_string();
        self.cache.run(move |c| {
            let chunk = CHUNK as u64;
            let (first, last) = (start / chunk, (start + len.max(1) as u64 - 1) / chunk);
            let mut statement = c.prepare(
                "SELECT bytes FROM outbox_chunks WHERE doc_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
            )?;
            let mut rows = statement.query(params![
                doc_id,
                i64::try_from(first).unwrap_or(i64::MAX),
                i64::try_from(last).unwrap_or(i64::MAX)
            ])?;
            let spans = usize::try_from(last - first + 1).unwrap_or(1);
            let mut joined = Vec::with_capacity(spans.saturating_mul(CHUNK));
            while let Some(row) = rows.next()? {
                // Borrowed from SQLite's row: one copy, into `joined`.
                joined.extend_from_slice(blob(row)?);
            }
            let skip = usize::try_from(start - first * chunk).unwrap_or(usize::MAX);
            if skip > joined.len() {
                return Err(CacheError::Io("a queued file is shorter than recorded".into()));
            }
            joined.drain(..skip);
            joined.truncate(len);
            Ok(joined)
        })
        .await
    }
}
