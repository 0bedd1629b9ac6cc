//! Presigned requests for one exact key: the server signs with its own role, the client only
//! sends. Checksums and create-only conditions are inside the signature.

use std::time::Duration;

use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};

use super::record_store::{Presigned, PRESIGNED_EXPIRY};
use super::{classify, Failure, ObjectStore, StoreError};

fn config(expiry: Duration) -> Result<PresigningConfig, StoreError> {
    PresigningConfig::expires_in(expiry)
        .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))
}

fn presigned(p: PresignedRequest) -> Presigned {
    Presigned {
        method: p.method().to_string(),
        url: p.uri().to_string(),
        headers: p
            .headers()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
    }
}

pub(super) async fn presign_get(
    store: &ObjectStore,
    key: &str,
    expiry: Duration,
) -> Result<String, StoreError> {
    let p = store
        .client
        .get_object()
        .bucket(&store.bucket)
        .key(key)
        .presigned(config(expiry)?)
        .await
        .map_err(classify)?;
    Ok(p.uri().to_string())
}

pub(super) async fn presign_put(
    store: &ObjectStore,
    key: &str,
    content_type: &str,
    sha256_b64: &str,
) -> Result<Presigned, StoreError> {
    let p = store
        .client
        .put_object()
        .bucket(&store.bucket)
        .key(key)
        .content_type(content_type)
        .checksum_sha256(sha256_b64)
        .if_none_match("*")
        .presigned(config(PRESIGNED_EXPIRY)?)
        .await
        .map_err(classify)?;
    Ok(presigned(p))
}

pub(super) async fn presign_part(
    store: &ObjectStore,
    key: &str,
    upload_id: &str,
    number: i32,
    sha256_b64: &str,
) -> Result<Presigned, StoreError> {
    let p = store
        .client
        .upload_part()
        .bucket(&store.bucket)
        .key(key)
        .upload_id(upload_id)
        .part_number(number)
        .checksum_sha256(sha256_b64)
        .presigned(config(PRESIGNED_EXPIRY)?)
        .await
        .map_err(classify)?;
    Ok(presigned(p))
}
