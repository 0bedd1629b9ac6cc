//! A queued file's bytes in 4 MiB rows (issue 10 item 5): a file goes from disk into the
//! outbox a chunk at a time, hashed on the way, so queueing a 50 MiB scan never holds it whole
//! (one INSERT of the whole value held it three times: the file, SQLite's bound copy and its
//! record). Each chunk is an ordinary INSERT: SQLCipher's incremental BLOB I/O was measured
//! 3.5× slower. Rows queued before this keep their bytes in `outbox.bytes`.

use std::io::Read;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::CacheError;

pub const CHUNK: usize = 4 * 1024 * 1024;

/// Writes the file at `path` as chunks of `doc_id`; its SHA-256 (hex). Refused when the file
/// is not `size` bytes long (it changed since it was checked): the caller's transaction then
/// rolls back and nothing is left.
pub fn write_file(
    tx: &Transaction<'_>,
    doc_id: &str,
    path: &Path,
    size: u64,
) -> Result<String, CacheError> {
    let io = |e: std::io::Error| CacheError::Io(e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    // One byte past the size shows a file that grew.
    let mut reader = file.take(size + 1);
    let mut hasher = Sha256::new();
    let mut buffer = Vec::with_capacity(CHUNK);
    let mut total = 0u64;
    let mut insert =
        tx.prepare("INSERT INTO outbox_chunks (doc_id, seq, bytes) VALUES (?1, ?2, ?3)")?;
    for seq in 0u32.. {
        buffer.clear();
        let filled = (&mut reader)
            .take(CHUNK as u64)
            .read_to_end(&mut buffer)
            .map_err(io)?;
        if filled == 0 {
            break;
        }
        total += filled as u64;
        if total > size {
            break;
        }
        hasher.update(&buffer[..filled]);
        insert.execute(params![doc_id, seq, &buffer[..filled]])?;
    }
    if total != size {
        return Err(CacheError::Io(
            "the file changed size while it was read".into(),
        ));
    }
    Ok(hex::encode(hasher.finalize()))
}

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
/// time (`Cache::outbox_range`), so sending never holds the whole file either.
#[derive(Debug, Clone)]
pub struct ChunkedItem {
    pub size: u64,
    /// Hex, taken as the file was queued.
    pub sha256: String,
    pub replace_oldest: bool,
    /// The first bytes (`SNIFF_BYTES` of them), for the type check.
    pub head: Vec<u8>,
}

impl super::Cache {
    /// A queued item kept in chunks; `None` when its bytes are inline (queued before chunks,
    /// or from memory) or it is gone.
    pub async fn outbox_chunked(&self, doc_id: &str) -> Result<Option<ChunkedItem>, CacheError> {
        let doc_id = doc_id.to_string();
        self.run(move |c| {
            let row: Option<(Option<i64>, String, bool)> = c
                .query_row(
                    "SELECT size, sha256, replace_oldest FROM outbox WHERE doc_id = ?1",
                    params![doc_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((Some(size), sha256, replace_oldest)) = row else {
                return Ok(None);
            };
            let head: Option<Vec<u8>> = c
                .query_row(
                    "SELECT substr(bytes, 1, ?2) FROM outbox_chunks WHERE doc_id = ?1 AND seq = 0",
                    params![doc_id, crate::domain::SNIFF_BYTES as i64],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(head.map(|head| ChunkedItem {
                size: u64::try_from(size).unwrap_or(0),
                sha256,
                replace_oldest,
                head,
            }))
        })
        .await
    }

    /// `len` bytes of a chunked item from `start` (fewer at its end): the chunks they lie in.
    pub async fn outbox_range(
        &self,
        doc_id: &str,
        start: u64,
        len: usize,
    ) -> Result<Vec<u8>, CacheError> {
        let doc_id = doc_id.to_string();
        self.run(move |c| {
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
