//! Proving what clients sent: the stored object's size and SHA-256, and its type by magic bytes.
//!
//! Real S3 rejects a PUT whose body does not match its signed `x-amz-checksum-sha256`, and
//! reports the checksum on HEAD, so the server trusts that report. The local cloud's moto does
//! neither (DESIGN.md §6): where HEAD reports no checksum, the object is read back and hashed
//! here. s3s-fs reports one, like S3.

use aws_sdk_s3::types::ChecksumMode;
use base64::Engine;
use chartdesk_domain::{sniff, SNIFF_BYTES};
use chartdesk_records::store::{classify, Failure, StoreError};
use sha2::{Digest, Sha256};

use crate::error::{s3_failure, ApiError, ApiResult};
use crate::state::AppState;

pub struct Stored {
    pub size: u64,
    /// Base64 SHA-256 as S3 reports it (`<b64>-<parts>` for a multipart composite).
    pub sha256: Option<String>,
}

pub fn hex_to_base64(hex_digest: &str) -> Option<String> {
    let bytes = hex::decode(hex_digest).ok().filter(|b| b.len() == 32)?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// S3's base64 SHA-256 as lower-case hex; `None` unless it is a whole 32-byte digest.
pub fn base64_to_hex(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .filter(|b| b.len() == 32)?;
    Some(hex::encode(bytes))
}

/// HEAD with checksums; `None` when the object is not there.
pub async fn head(state: &AppState, key: &str) -> ApiResult<Option<Stored>> {
    let answer = state
        .s3
        .head_object()
        .bucket(state.bucket())
        .key(key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await;
    match answer.map_err(classify) {
        Ok(h) => Ok(Some(Stored {
            size: h
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            sha256: h.checksum_sha256().map(str::to_string),
        })),
        Err(Failure::Service { status: 404, .. }) => Ok(None),
        Err(f) => Err(StoreError::from(f).into()),
    }
}

/// What an object must be.
pub struct Expected<'a> {
    pub size: u64,
    /// Lower-case hex SHA-256 of the whole body.
    pub sha256_hex: &'a str,
    /// For multipart: the parts' hex SHA-256s (S3 reports a composite of them).
    pub part_sha256_hex: &'a [String],
}

/// Checks the stored object against what was declared. `Integrity` when it is missing or
/// differs.
pub async fn object(state: &AppState, key: &str, expected: &Expected<'_>) -> ApiResult<()> {
    let mismatch = || {
        ApiError::Integrity(
            "The stored file does not match what was declared (missing, or its size or SHA-256 differs); nothing was attached"
                .into(),
        )
    };
    let stored = head(state, key).await?.ok_or_else(mismatch)?;
    if stored.size != expected.size {
        return Err(mismatch());
    }
    let whole = hex_to_base64(expected.sha256_hex).ok_or_else(mismatch)?;
    if let Some(reported) = stored.sha256 {
        // S3 reports a multipart object's composite as `<b64>-<parts>`; moto gives the same
        // composite without the suffix, so a multipart upload may match either way.
        let value = reported.split('-').next().unwrap_or_default();
        let composite = (!expected.part_sha256_hex.is_empty())
            .then(|| composite_of(expected.part_sha256_hex))
            .flatten();
        return if value == whole || Some(value) == composite.as_deref() {
            Ok(())
        } else {
            Err(mismatch())
        };
    }
    // No checksum reported (moto): hash the stored bytes.
    if sha256_of(state, key, expected.size).await? == expected.sha256_hex {
        Ok(())
    } else {
        Err(mismatch())
    }
}

/// Lower-case hex SHA-256 of a stored object, read back (where the store reports none); an
/// object longer than `limit` is refused as damaged rather than read on.
pub async fn sha256_of(state: &AppState, key: &str, limit: u64) -> ApiResult<String> {
    let out = state
        .s3
        .get_object()
        .bucket(state.bucket())
        .key(key)
        .send()
        .await
        .map_err(s3_failure)?;
    let mut hasher = Sha256::new();
    let mut read = 0u64;
    let mut body = out.body;
    while let Some(chunk) = body.try_next().await.map_err(|_| ApiError::Unavailable)? {
        read += chunk.len() as u64;
        if read > limit {
            return Err(ApiError::Integrity(
                "A stored file is larger than its record says".into(),
            ));
        }
        hasher.update(&chunk);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// S3's composite checksum: SHA-256 of the parts' digests, base64.
fn composite_of(parts_hex: &[String]) -> Option<String> {
    let mut all = Vec::with_capacity(parts_hex.len() * 32);
    for p in parts_hex {
        all.extend(hex::decode(p).ok().filter(|b| b.len() == 32)?);
    }
    Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&all)))
}

/// The accepted type the stored object's first bytes show (a ranged read).
pub async fn sniffed_type(state: &AppState, key: &str) -> ApiResult<Option<&'static str>> {
    let out = state
        .s3
        .get_object()
        .bucket(state.bucket())
        .key(key)
        .range(format!("bytes=0-{}", SNIFF_BYTES - 1))
        .send()
        .await
        .map_err(s3_failure)?;
    let head = out
        .body
        .collect()
        .await
        .map_err(|_| ApiError::Unavailable)?
        .into_bytes();
    Ok(sniff(&head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_composite_checksum_is_the_digest_of_the_part_digests() {
        let a = Sha256::digest(b"part one");
        let b = Sha256::digest(b"part two");
        let mut both = a.to_vec();
        both.extend_from_slice(&b);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&both));
        assert_eq!(
            composite_of(&[hex::encode(a), hex::encode(b)]),
            Some(expected)
        );
        assert_eq!(composite_of(&["not hex".into()]), None);
    }

    #[test]
    fn only_a_full_length_hex_digest_converts() {
        assert!(hex_to_base64(&"ab".repeat(32)).is_some());
        assert!(hex_to_base64("abcd").is_none());
        let digest = "ab".repeat(32);
        let b64 = hex_to_base64(&digest).unwrap();
        assert_eq!(base64_to_hex(&b64), Some(digest));
        assert_eq!(base64_to_hex("q80="), None);
    }
}
