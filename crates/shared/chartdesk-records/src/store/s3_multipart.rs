//! Multipart uploads on S3: the steps that need the server's credentials (create, complete,
//! abort). The parts themselves go up through presigned URLs.

use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};

use super::record_store::{Completion, UploadedPart};
use super::{classify, Failure, ObjectStore, StoreError};

pub(super) async fn create_multipart(
    store: &ObjectStore,
    key: &str,
    content_type: &str,
) -> Result<String, StoreError> {
    abort_abandoned(store, key).await;
    let created = store
        .client
        .create_multipart_upload()
        .bucket(&store.bucket)
        .key(key)
        .content_type(content_type)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .map_err(classify)?;
    created
        .upload_id()
        .map(str::to_string)
        .ok_or_else(|| StoreError::Failed(Failure::Client("no upload id".into())))
}

/// See `RecordStore::multipart_open`: moto's ListParts answers with an XML root the SDK
/// cannot read, which counts as open.
pub(super) async fn multipart_open(store: &ObjectStore, key: &str, upload_id: &str) -> bool {
    let listed = store
        .client
        .list_parts()
        .bucket(&store.bucket)
        .key(key)
        .upload_id(upload_id)
        .send()
        .await;
    match listed.map_err(classify) {
        Ok(_) => true,
        Err(Failure::Service { status, .. }) => (200..300).contains(&status),
        Err(Failure::Client(_)) => true,
        Err(_) => false,
    }
}

pub(super) async fn complete_multipart(
    store: &ObjectStore,
    key: &str,
    upload_id: &str,
    parts: &[UploadedPart],
) -> Result<Completion, StoreError> {
    let mut completed: Vec<CompletedPart> = parts
        .iter()
        .map(|p| {
            CompletedPart::builder()
                .part_number(p.number)
                .e_tag(&p.etag)
                .checksum_sha256(&p.sha256)
                .build()
        })
        .collect();
    completed.sort_by_key(|p| p.part_number());
    let answer = store
        .client
        .complete_multipart_upload()
        .bucket(&store.bucket)
        .key(key)
        .upload_id(upload_id)
        .if_none_match("*")
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await;
    match answer.map_err(classify) {
        Ok(_) => Ok(Completion::Completed),
        Err(Failure::Service {
            status: 412 | 404, ..
        }) => Ok(Completion::NotCompleted),
        Err(f) => Err(f.into()),
    }
}

pub(super) async fn abort_multipart(store: &ObjectStore, key: &str, upload_id: &str) {
    let _ = store
        .client
        .abort_multipart_upload()
        .bucket(&store.bucket)
        .key(key)
        .upload_id(upload_id)
        .send()
        .await;
}

/// A run killed mid-transfer leaves its multipart upload open (and billed): abort any for
/// this key before starting again. Best effort; servers without the listing (s3s-fs)
/// are skipped.
pub(super) async fn abort_abandoned(store: &ObjectStore, key: &str) {
    let Ok(open) = store
        .client
        .list_multipart_uploads()
        .bucket(&store.bucket)
        .prefix(key)
        .send()
        .await
    else {
        return;
    };
    for upload in open.uploads() {
        if let (Some(k), Some(id)) = (upload.key(), upload.upload_id()) {
            if k == key {
                abort_multipart(store, k, id).await;
            }
        }
    }
}
