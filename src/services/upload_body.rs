//! An object's bytes for sending: in memory (image variants, and files queued before outbox
//! chunks), or a file kept in outbox chunks, read one part at a time, so sending a 50 MiB scan
//! never holds it whole (at most the parts in flight: the policy's parallel parts × part size).

use std::sync::Arc;

use bytes::Bytes;
use chartdesk_api::{ObjectRole, StartUpload};
use uuid::Uuid;

use super::upload_intents::Prepared;
use super::{AppError, Services};
use crate::cache::outbox_chunks::ChunkedItem;
use crate::cache::{Cache, OutboxItem};
use crate::cloud::{Progress, ServerError};
use crate::domain::{sha256_hex, sniff};

#[derive(Clone)]
pub(super) enum Body {
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
                let bytes = cache.outbox_range(doc_id, start, want).await?;
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

impl Services {
    /// As `prepare_upload`, for an item kept in outbox chunks that needs no variants: checked
    /// by its first bytes and recorded size, its parts hashed one at a time. `None` for an
    /// image (its variants need the whole file decoded: the caller reads it whole).
    pub(super) async fn prepare_chunked(
        &self,
        item: &OutboxItem,
        chunked: ChunkedItem,
        cache: Cache,
        progress: &Arc<Progress>,
    ) -> Result<Option<Prepared>, AppError> {
        let (mrn, category) = self.upload_target(&item.mrn, &item.category).await?;
        let declared = sniff(&chunked.head).unwrap_or("application/octet-stream");
        let policy = self.policy();
        let file = policy.accept_declared(&item.file_name, declared, chunked.size)?;
        if file.is_image() {
            return Ok(None);
        }
        let doc_id = Uuid::parse_str(&item.doc_id).map_err(|_| ServerError::Malformed)?;
        let body = Body::Queued {
            cache,
            doc_id: item.doc_id.clone(),
            size: chunked.size,
        };
        let mut part_sha256 = Vec::new();
        let part_size = policy.part_size();
        if chunked.size > policy.multipart_threshold() {
            let mut start = 0;
            while let Some(part) = body.read(start, part_size).await? {
                part_sha256.push(sha256_hex(&part));
                start += part.len() as u64;
            }
        }
        let start = StartUpload {
            doc_id,
            mrn: mrn.to_string(),
            category,
            file_name: file.file_name,
            content_type: file.content_type.to_string(),
            size: chunked.size,
            sha256: chunked.sha256,
            replace_oldest: chunked.replace_oldest,
            variants: Vec::new(),
            part_sha256,
            resume_upload_id: None,
        };
        progress.expect(chunked.size);
        Ok(Some(Prepared {
            start,
            part_size,
            bodies: vec![(ObjectRole::Original, body)],
        }))
    }
}
