//! Short-lived presigned requests for one exact key: the server signs with its own role, the
//! client only sends. Checksums and create-only conditions are inside the signature.

use std::time::Duration;

use aws_sdk_s3::presigning::{PresignedRequest as SdkPresigned, PresigningConfig};
use chartdesk_api::{PresignedRequest, RequestHeader};

use crate::error::{s3_failure, ApiError, ApiResult};
use crate::state::AppState;

/// How long a presigned URL stays valid (DESIGN.md §3).
pub const EXPIRY: Duration = Duration::from_secs(15 * 60);

fn config() -> ApiResult<PresigningConfig> {
    config_for(EXPIRY)
}

fn config_for(expiry: Duration) -> ApiResult<PresigningConfig> {
    PresigningConfig::expires_in(expiry).map_err(|_| ApiError::Internal("presign_config"))
}

fn to_wire(p: SdkPresigned) -> PresignedRequest {
    PresignedRequest {
        method: p.method().to_string(),
        url: p.uri().to_string(),
        headers: p
            .headers()
            .map(|(name, value)| RequestHeader {
                name: name.to_string(),
                value: value.to_string(),
            })
            .collect(),
    }
}

pub async fn get(state: &AppState, key: &str) -> ApiResult<String> {
    get_for(state, key, config()?).await
}

async fn get_for(state: &AppState, key: &str, config: PresigningConfig) -> ApiResult<String> {
    let p = state
        .s3
        .get_object()
        .bucket(state.bucket())
        .key(key)
        .presigned(config)
        .await
        .map_err(s3_failure)?;
    Ok(p.uri().to_string())
}

/// How long a download link stays valid: the page follows it at once.
const DOWNLOAD_EXPIRY: Duration = Duration::from_secs(60);

/// A GET of an object stored as a download (its name is in the object, not in the URL, so
/// the MRN stays out of access logs and the browser's download list).
pub async fn download(state: &AppState, key: &str) -> ApiResult<String> {
    get_for(state, key, config_for(DOWNLOAD_EXPIRY)?).await
}

/// A create-only PUT whose body must hash to `sha256_b64` (S3 rejects a mismatch).
pub async fn put(
    state: &AppState,
    key: &str,
    content_type: &str,
    sha256_b64: &str,
) -> ApiResult<PresignedRequest> {
    let p = state
        .s3
        .put_object()
        .bucket(state.bucket())
        .key(key)
        .content_type(content_type)
        .checksum_sha256(sha256_b64)
        .if_none_match("*")
        .presigned(config()?)
        .await
        .map_err(s3_failure)?;
    Ok(to_wire(p))
}

pub async fn part(
    state: &AppState,
    key: &str,
    upload_id: &str,
    number: i32,
    sha256_b64: &str,
) -> ApiResult<PresignedRequest> {
    let p = state
        .s3
        .upload_part()
        .bucket(state.bucket())
        .key(key)
        .upload_id(upload_id)
        .part_number(number)
        .checksum_sha256(sha256_b64)
        .presigned(config()?)
        .await
        .map_err(s3_failure)?;
    Ok(to_wire(p))
}
