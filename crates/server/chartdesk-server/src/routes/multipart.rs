//! The multipart steps only the server may take (they need its credentials): create, and
//! complete with the parts' checksums. The parts themselves go up through presigned URLs.

use chartdesk_api::CompletedPartDto;
use chartdesk_records::store::{Completion, UploadedPart};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::verify::hex_to_base64;

pub async fn create(state: &AppState, key: &str, content_type: &str) -> ApiResult<String> {
    // A client killed mid-transfer left one open: a retry of the same doc id aborts it.
    Ok(state.store.create_multipart(key, content_type).await?)
}

/// Whether the store still has this multipart upload for this key (a resumed try keeps it).
pub async fn still_open(state: &AppState, key: &str, upload_id: &str) -> bool {
    state.store.multipart_open(key, upload_id).await
}

/// The parts a client says S3 accepted, each with the checksum declared for it, in order.
/// Part numbers come from the client: anything but 1..=declared parts is refused (never a
/// subtraction that overflows).
fn completed_parts(
    parts: &[CompletedPartDto],
    part_sha256_hex: &[String],
) -> ApiResult<Vec<UploadedPart>> {
    let mut completed = Vec::with_capacity(parts.len());
    for p in parts {
        let index = p
            .number
            .checked_sub(1)
            .and_then(|i| usize::try_from(i).ok());
        let sha = index
            .and_then(|i| part_sha256_hex.get(i))
            .and_then(|h| hex_to_base64(h))
            .ok_or_else(|| {
                ApiError::Invalid("A completed part is not one that was declared".into())
            })?;
        completed.push(UploadedPart {
            number: p.number,
            etag: p.etag.clone(),
            sha256: sha,
        });
    }
    completed.sort_by_key(|p| p.number);
    Ok(completed)
}

/// Completes a multipart upload, create-only. A replay whose upload is already complete (the
/// object exists: 412, or the upload id is gone) is left to the verification that follows.
pub async fn complete(
    state: &AppState,
    key: &str,
    upload_id: &str,
    parts: &[CompletedPartDto],
    part_sha256_hex: &[String],
) -> ApiResult<()> {
    let completed = completed_parts(parts, part_sha256_hex)?;
    let completion = state
        .store
        .complete_multipart(key, upload_id, &completed)
        .await?;
    if completion == Completion::NotCompleted {
        // The object is already there (an earlier try completed): this upload's parts
        // must not stay open and billed.
        state.store.abort_multipart(key, upload_id).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(number: i32) -> CompletedPartDto {
        CompletedPartDto {
            number,
            etag: "\"e\"".into(),
        }
    }

    #[test]
    fn part_numbers_outside_the_declared_parts_are_refused_without_overflow() {
        let declared = vec!["ab".repeat(32)];
        for number in [i32::MIN, -1, 0, 2, i32::MAX] {
            let refused = completed_parts(&[part(number)], &declared);
            assert!(
                matches!(refused, Err(ApiError::Invalid(_))),
                "part {number}"
            );
        }
        let ok = completed_parts(&[part(1)], &declared).unwrap();
        assert_eq!(ok[0].number, 1);
    }
}
