//! Proving what a client sent: the stored object's size and SHA-256 against what was declared.
//!
//! Real S3 rejects a PUT whose body does not match its signed `x-amz-checksum-sha256` and
//! reports the checksum on HEAD, so that report is trusted. The local cloud's moto does
//! neither: where HEAD reports no checksum, `verify` reads the object back and hashes it, and
//! `check_reported` (the upload's request path) leaves that to the processing worker, which
//! reads every original whole before anyone may open it (issue 25 item 1).

use base64::Engine;
use sha2::{Digest, Sha256};

use super::record_store::RecordStore;
use super::StoreError;

/// What an object must be.
pub struct Expected<'a> {
    pub size: u64,
    /// Lower-case hex SHA-256 of the whole body.
    pub sha256_hex: &'a str,
    /// For multipart: the parts' hex SHA-256s (S3 reports a composite of them).
    pub part_sha256_hex: &'a [String],
}

/// Checks the stored object against `expected`: `ChecksumMismatch` when it is missing or
/// differs.
pub async fn verify(
    store: &dyn RecordStore,
    key: &str,
    expected: &Expected<'_>,
) -> Result<(), StoreError> {
    let stored = store.head(key).await?.ok_or(StoreError::ChecksumMismatch)?;
    if stored.size != expected.size {
        return Err(StoreError::ChecksumMismatch);
    }
    let matches = match stored.sha256 {
        Some(reported) => reported_matches(&reported, expected),
        None => store.sha256_of(key, expected.size).await?.as_deref() == Some(expected.sha256_hex),
    };
    if matches {
        Ok(())
    } else {
        Err(StoreError::ChecksumMismatch)
    }
}

/// How far `check_reported` could prove an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// Size and the store's reported SHA-256 both match.
    Whole,
    /// The size matches; the store reports no checksum (moto), so the bytes are proven by
    /// the processing worker's whole-file check, not here.
    SizeOnly,
}

/// `verify` without reading the object back: one HEAD. A reported checksum must match; where
/// none is reported only the size is proven (`Checked::SizeOnly`).
pub async fn check_reported(
    store: &dyn RecordStore,
    key: &str,
    expected: &Expected<'_>,
) -> Result<Checked, StoreError> {
    let stored = store.head(key).await?.ok_or(StoreError::ChecksumMismatch)?;
    if stored.size != expected.size {
        return Err(StoreError::ChecksumMismatch);
    }
    match stored.sha256 {
        Some(reported) if reported_matches(&reported, expected) => Ok(Checked::Whole),
        Some(_) => Err(StoreError::ChecksumMismatch),
        None => Ok(Checked::SizeOnly),
    }
}

/// Whether a reported checksum is the whole body's or, for multipart, its parts' composite.
fn reported_matches(reported: &str, expected: &Expected<'_>) -> bool {
    let Some(whole) = hex_to_base64(expected.sha256_hex) else {
        return false;
    };
    // S3 reports a multipart object's composite as `<b64>-<parts>`; moto gives the same
    // composite without the suffix, so a multipart upload may match either way.
    let value = reported.split('-').next().unwrap_or_default();
    let composite = (!expected.part_sha256_hex.is_empty())
        .then(|| composite_of(expected.part_sha256_hex))
        .flatten();
    value == whole || Some(value) == composite.as_deref()
}

pub fn hex_to_base64(hex_digest: &str) -> Option<String> {
    let bytes = hex::decode(hex_digest).ok().filter(|b| b.len() == 32)?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A base64 SHA-256 as lower-case hex; `None` unless it is a whole 32-byte digest.
pub fn base64_to_hex(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .filter(|b| b.len() == 32)?;
    Some(hex::encode(bytes))
}

/// S3's composite checksum: SHA-256 of the parts' digests, base64.
pub fn composite_of(parts_hex: &[String]) -> Option<String> {
    let mut all = Vec::with_capacity(parts_hex.len() * 32);
    for p in parts_hex {
        all.extend(hex::decode(p).ok().filter(|b| b.len() == 32)?);
    }
    Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&all)))
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
