//! An original's bytes for sending: in memory (a direct upload, and files queued before outbox
//! chunks), or a file kept in outbox chunks, read one part at a time, so sending a 50 MiB scan
//! never holds it whole (at most the parts in flight: the policy's parallel parts × part size).

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;

use crate::cache::Cache;
use crate::services::AppError;
use chartdesk_records::store::transfer::Pieces;

#[derive(Clone)]
pub(in crate::services) enum Body {
    Memory(Bytes),
    Queued {
        cache: Cache,
        doc_id: String,
        size: u64,
    },
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(b) => b.len() as u64,
            Body::Queued { size, .. } => *size,
        }
    }

    /// The whole body as pieces of at most `piece` bytes, each read when the network takes it:
    /// a single PUT of a queued file holds one piece, not the file. A read that fails ends the
    /// stream (the PUT fails) and leaves its error in `failed`, so the caller reports it as
    /// what it is, not as a network that dropped.
    pub fn pieces(&self, piece: usize, failed: Arc<Mutex<Option<AppError>>>) -> Pieces {
        let body = self.clone();
        futures_util::stream::unfold(Some(0u64), move |at| {
            let (body, failed) = (body.clone(), failed.clone());
            async move {
                let start = at?;
                match body.read(start, piece).await {
                    // Nothing more to read (a zero piece size included): the end.
                    Ok(Some(bytes)) if bytes.is_empty() => None,
                    Ok(Some(bytes)) => {
                        let next = start + bytes.len() as u64;
                        Some((Ok(bytes), Some(next)))
                    }
                    Ok(None) => None,
                    Err(e) => {
                        if let Ok(mut slot) = failed.lock() {
                            *slot = Some(e);
                        }
                        Some((Err(std::io::Error::other("reading the queued file")), None))
                    }
                }
            }
        })
        .boxed()
    }

    /// The bytes from `start`, at most `len` of them (a part, or a whole small object);
    /// `None` past the end.
    pub async fn read(&self, start: u64, len: usize) -> Result<Option<Bytes>, AppError> {
        if start >= self.len() {
            return Ok(None);
        }
        let end = (start + len as u64).min(self.len());
        match self {
            Body::Memory(b) => {
                let (s, e) = (
                    usize::try_from(start).unwrap_or(usize::MAX),
                    usize::try_from(end).unwrap_or(usize::MAX),
                );
                Ok(b.get(s..e).map(|_| b.slice(s..e)))
            }
            Body::Queued { cache, doc_id, .. } => {
                let want = usize::try_from(end - start).unwrap_or(usize::MAX);
                let bytes = cache.outbox_rows().range(doc_id, start, want).await?;
                if bytes.len() != want {
                    return Err(crate::cache::CacheError::Io(
                        "a queued file is shorter than recorded".into(),
                    )
                    .into());
                }
                Ok(Some(Bytes::from(bytes)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::new_key;

    async fn drained(body: &Body, piece: usize) -> (Vec<Option<Bytes>>, Option<AppError>) {
        let failed = Arc::new(Mutex::new(None));
        let got = body
            .pieces(piece, failed.clone())
            .map(Result::ok)
            .collect::<Vec<_>>()
            .await;
        let error = failed.lock().unwrap().take();
        (got, error)
    }

    #[tokio::test]
    async fn a_body_is_sent_in_pieces_of_the_asked_size_and_nothing_more() {
        let body = Body::Memory(Bytes::from_static(b"0123456789"));
        let (pieces, failed) = drained(&body, 4).await;
        let pieces: Vec<_> = pieces.into_iter().map(Option::unwrap).collect();
        assert_eq!(pieces, [&b"0123"[..], b"4567", b"89"]);
        assert!(failed.is_none());
    }

    #[tokio::test]
    async fn a_queued_copy_that_cannot_be_read_ends_the_pieces_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let body = Body::Queued {
            cache,
            doc_id: "never-queued".into(),
            size: 10,
        };
        let (pieces, failed) = drained(&body, 4).await;
        assert_eq!(pieces.len(), 1, "one failed read, then the end");
        assert!(pieces[0].is_none());
        assert!(
            matches!(failed, Some(AppError::Cache(_))),
            "the cache's error, not a network's: {failed:?}"
        );
    }
}
