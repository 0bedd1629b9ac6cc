//! An upload made ready to send: the file checked and its parts hashed, as the records server
//! will ask for them. The original is the one object sent: the server's worker makes the
//! previews (ARCHITECTURE.md §9).

use std::sync::Arc;

use bytes::Bytes;
use chartdesk_api::{ObjectRole, StartUpload};
use uuid::Uuid;

use super::body::Body;
use super::sender::Sender;
use super::{Checked, Upload};
use crate::cache::outbox_chunks::ChunkedItem;
use crate::cache::{Cache, OutboxItem};
use crate::cloud::ServerError;
use crate::services::AppError;
use chartdesk_domain::{sha256_hex, sniff};
use chartdesk_records::store::Progress;

/// An upload ready to send: what to declare, and the original's bytes.
pub(in crate::services) struct Prepared {
    pub start: StartUpload,
    /// The size the original's parts were hashed at (the policy's, when prepared).
    pub part_size: usize,
    pub bodies: Vec<(ObjectRole, Body)>,
}

impl Sender<'_> {
    /// Checks the file and hashes what the server will ask for.
    pub(in crate::services::upload) async fn prepare_upload(
        self,
        upload: Upload<'_>,
    ) -> Result<Prepared, AppError> {
        let Checked {
            mrn,
            category,
            file,
            sha256,
        } = self.check_upload(&upload).await?;
        let doc_id = upload.doc_id.unwrap_or_else(Uuid::now_v7);
        let original = Bytes::from(upload.bytes);
        let policy = self.app.policy();
        let part_size = policy.part_size();
        let part_sha256 = if original.len() as u64 > policy.multipart_threshold() {
            original.chunks(part_size).map(sha256_hex).collect()
        } else {
            Vec::new()
        };
        let start = StartUpload {
            doc_id,
            mrn: mrn.to_string(),
            category,
            file_name: file.file_name,
            content_type: file.content_type.to_string(),
            size: original.len() as u64,
            sha256,
            replace_oldest: upload.replace_oldest,
            part_sha256,
            resume_upload_id: None,
        };
        upload.progress.expect(original.len() as u64);
        let bodies = vec![(ObjectRole::Original, Body::Memory(original))];
        Ok(Prepared {
            start,
            part_size,
            bodies,
        })
    }
}

impl Sender<'_> {
    /// As `prepare_upload`, for an item kept in outbox chunks: checked by its first bytes and
    /// recorded size, its parts hashed one at a time.
    pub(in crate::services::upload) async fn prepare_chunked(
        self,
        item: &OutboxItem,
        chunked: ChunkedItem,
        cache: Cache,
        progress: &Arc<Progress>,
    ) -> Result<Prepared, AppError> {
        let (mrn, category) = super::upload_target(self.app, &item.mrn, &item.category).await?;
        let declared = sniff(&chunked.head).unwrap_or("application/octet-stream");
        let policy = self.app.policy();
        let file = policy.accept_declared(&item.file_name, declared, chunked.size)?;
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
            part_sha256,
            resume_upload_id: None,
        };
        progress.expect(chunked.size);
        Ok(Prepared {
            start,
            part_size,
            bodies: vec![(ObjectRole::Original, body)],
        })
    }
}
