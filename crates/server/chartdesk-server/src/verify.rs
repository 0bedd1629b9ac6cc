//! Proving what clients sent, in the server's words: the stored object's size and SHA-256
//! (checked by the store's `integrity::verify`); its type by magic bytes is the worker's check.

use chartdesk_records::store::{integrity, Head, StoreError};

pub use chartdesk_records::store::integrity::{base64_to_hex, hex_to_base64, Expected};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// HEAD with checksums; `None` when the object is not there.
pub async fn head(state: &AppState, key: &str) -> ApiResult<Option<Head>> {
    Ok(state.store.head(key).await?)
}

/// Checks the stored object against what was declared, with one HEAD and no read-back: the
/// store verified the signed checksum on PUT, and where it reports none (moto) the worker
/// checks the whole file before anyone may open it. `Integrity` when it is missing or differs.
pub async fn object(state: &AppState, key: &str, expected: &Expected<'_>) -> ApiResult<()> {
    match integrity::check_reported(state.store.as_ref(), key, expected).await {
        Err(StoreError::ChecksumMismatch) => Err(ApiError::Integrity(
            "The stored file does not match what was declared (missing, or its size or SHA-256 differs); nothing was attached"
                .into(),
        )),
        other => other.map(|_| ()).map_err(ApiError::from),
    }
}

/// Lower-case hex SHA-256 of a stored object, read back (where the store reports none); an
/// object longer than `limit` is refused as damaged rather than read on.
pub async fn sha256_of(state: &AppState, key: &str, limit: u64) -> ApiResult<String> {
    match state.store.sha256_of(key, limit).await {
        Ok(Some(hex)) => Ok(hex),
        Ok(None) => Err(ApiError::Internal("store_failed")),
        Err(StoreError::ChecksumMismatch) => Err(ApiError::Integrity(
            "A stored file is larger than its record says".into(),
        )),
        Err(e) => Err(e.into()),
    }
}
