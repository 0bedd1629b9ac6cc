//! An upload made ready to send: the file checked, the image variants made, and every object
//! and part hashed, as the records server will ask for them.

use std::sync::Arc;

use bytes::Bytes;
use chartdesk_api::{DeclaredVariant, ObjectRole, StartUpload, VariantKind};
use uuid::Uuid;

use super::body::Body;
use super::{Checked, Upload};
use crate::cache::outbox_chunks::ChunkedItem;
use crate::cache::{Cache, OutboxItem};
use crate::cloud::{Progress, ServerError};
use crate::domain::{sha256_hex, sniff, FileRefusal};
use crate::services::{AppError, Services};
use crate::upload::make_variants;

/// An upload ready to send: what to declare, and the bytes of each object.
pub(in crate::services) struct Prepared {
    pub start: StartUpload,
    /// The size the original's parts were hashed at (the policy's, when prepared).
    pub part_size: usize,
    pub bodies: Vec<(ObjectRole, Body)>,
}

impl Services {
    /// Checks the file, makes the image variants and hashes everything the server will ask for.
    pub(in crate::services) async fn prepare_upload(
        &self,
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
        let mut bodies = Vec::new();
        let mut variants = Vec::new();
        if file.is_image() {
            // Decoding and resizing is CPU work: off the async workers.
            let bytes = original.clone();
            let made = tokio::task::spawn_blocking(move || make_variants(&bytes))
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(|| FileRefusal::Unreadable(file.file_name.clone()))?;
            for (kind, role, body) in [
                (
                    VariantKind::Optimized,
                    ObjectRole::Optimized,
                    made.optimized,
                ),
                (VariantKind::Thumb, ObjectRole::Thumb, made.thumb),
            ] {
                variants.push(DeclaredVariant {
                    kind,
                    size: body.len() as u64,
                    sha256: sha256_hex(&body),
                });
                bodies.push((role, Body::Memory(Bytes::from(body))));
            }
        }
        let policy = self.policy();
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
            variants,
            part_sha256,
            resume_upload_id: None,
        };
        bodies.push((ObjectRole::Original, Body::Memory(original)));
        upload
            .progress
            .expect(bodies.iter().map(|(_, b)| b.len()).sum());
        Ok(Prepared {
            start,
            part_size,
            bodies,
        })
    }
}

impl Services {
    /// As `prepare_upload`, for an item kept in outbox chunks that needs no variants: checked
    /// by its first bytes and recorded size, its parts hashed one at a time. `None` for an
    /// image (its variants need the whole file decoded: the caller reads it whole).
    pub(in crate::services) async fn prepare_chunked(
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
