//! Short-lived presigned requests for one exact key, in the wire's shape: the store signs with
//! the server's own role, the client only sends.

use std::time::Duration;

use chartdesk_api::{PresignedRequest, RequestHeader};
use chartdesk_records::store::Presigned;

use crate::error::ApiResult;
use crate::state::AppState;

/// How long a presigned URL stays valid (the store's one definition).
pub const EXPIRY: Duration = chartdesk_records::store::PRESIGNED_EXPIRY;

/// How long a download link stays valid: the page follows it at once.
const DOWNLOAD_EXPIRY: Duration = Duration::from_secs(60);

fn to_wire(p: Presigned) -> PresignedRequest {
    PresignedRequest {
        method: p.method,
        url: p.url,
        headers: p
            .headers
            .into_iter()
            .map(|(name, value)| RequestHeader { name, value })
            .collect(),
    }
}

pub async fn get(state: &AppState, key: &str) -> ApiResult<String> {
    Ok(state.store.presign_get(key, EXPIRY).await?)
}

/// A GET of an object stored as a download (its name is in the object, not in the URL, so
/// the MRN stays out of access logs and the browser's download list).
pub async fn download(state: &AppState, key: &str) -> ApiResult<String> {
    Ok(state.store.presign_get(key, DOWNLOAD_EXPIRY).await?)
}

/// A create-only PUT whose body must hash to `sha256_b64` (the store rejects a mismatch).
pub async fn put(
    state: &AppState,
    key: &str,
    content_type: &str,
    sha256_b64: &str,
) -> ApiResult<PresignedRequest> {
    let p = state
        .store
        .presign_put(key, content_type, sha256_b64)
        .await?;
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
        .store
        .presign_part(key, upload_id, number, sha256_b64)
        .await?;
    Ok(to_wire(p))
}
