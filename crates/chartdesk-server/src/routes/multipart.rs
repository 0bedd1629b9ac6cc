//! The multipart steps only the server may take (they need its credentials): create, and
//! complete with the parts' checksums. The parts themselves go up through presigned URLs.

use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use chartdesk_api::CompletedPartDto;
use chartdesk_records::store::{classify, Failure, StoreError};

use crate::error::{s3_failure, ApiError, ApiResult};
use crate::state::AppState;
use crate::verify::hex_to_base64;

pub async fn create(state: &AppState, key: &str, content_type: &str) -> ApiResult<String> {
    // A client killed mid-transfer left one open: a retry of the same doc id aborts it.
    state.store.abort_abandoned(key).await;
    let created = state
        .s3
        .create_multipart_upload()
        .bucket(state.bucket())
        .key(key)
        .content_type(content_type)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .map_err(s3_failure)?;
    created
        .upload_id()
        .map(str::to_string)
        .ok_or(ApiError::Internal("no_upload_id"))
}

/// Whether S3 still has this multipart upload for this key (a resumed try keeps it). An
/// answer the SDK cannot read (moto's ListParts has the wrong XML root) counts as open: if it
/// is not, the complete fails and the next try starts afresh.
pub async fn still_open(state: &AppState, key: &str, upload_id: &str) -> bool {
    let listed = state
        .s3
        .list_parts()
        .bucket(state.bucket())
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

/// The parts a client says S3 accepted, each with the checksum declared for it, in order.
/// Part numbers come from the client: anything but 1..=declared parts is refused (never a
/// subtraction that overflows).
fn completed_parts(
    parts: &[CompletedPartDto],
    part_sha256_hex: &[String],
) -> ApiResult<Vec<CompletedPart>> {
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
        completed.push(
            CompletedPart::builder()
                .part_number(p.number)
                .e_tag(&p.etag)
                .checksum_sha256(sha)
                .build(),
        );
    }
    completed.sort_by_key(|p| p.part_number());
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
    let answer = state
        .s3
        .complete_multipart_upload()
        .bucket(state.bucket())
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
        Ok(_) => Ok(()),
        Err(Failure::Service {
            status: 412 | 404, ..
        }) => {
            // The object is already there (an earlier try completed): this upload's parts
            // must not stay open and billed.
            let _ = state
                .s3
                .abort_multipart_upload()
                .bucket(state.bucket())
                .key(key)
                .upload_id(upload_id)
                .send()
                .await;
            Ok(())
        }
        Err(f) => Err(StoreError::from(f).into()),
    }
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
        assert_eq!(ok[0].part_number(), Some(1));
    }
}
