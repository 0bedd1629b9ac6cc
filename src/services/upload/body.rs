//! An original's bytes for sending: in memory (a direct upload, and files queued before outbox
//! chunks), or a file kept in outbox chunks, read one part at a time, so sending a 50 MiB scan
//! never holds it whole (at most the parts in flight: the policy's parallel parts × part size).

use bytes::Bytes;
use futures_util::StreamExt;

use crate::cache::Cache;
use crate::cloud::transfer::Pieces;
use crate::services::AppError;

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
    /// a single PUT of a queued file holds one piece, not the file.
    pub fn pieces(&self, piece: usize) -> Pieces {
        let body = self.clone();
        futures_util::stream::unfold(0u64, move |start| {
            let body = body.clone();
            async move {
                match body.read(start, piece).await {
                    Ok(Some(bytes)) => {
                        let next = start + bytes.len() as u64;
                        Some((Ok(bytes), next))
                    }
                    Ok(None) => None,
                    // Ends the stream: the PUT fails and is tried again from the start.
                    Err(_) => Some((
                        Err(std::io::Error::other("reading the queued file")),
                        u64::MAX,
                    )),
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
