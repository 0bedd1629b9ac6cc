//! Uploads as server intents (see chartdesk-api's `uploads`): start validates, claims the
//! document id for its record and presigns; complete (`upload_complete`) verifies the stored
//! objects and attaches a batch. Idempotent by the client's `doc_id`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{
    ApiErrorCode, CompleteResult, CompleteUpload, ErrorBody, MultipartTarget, ObjectRole,
    PresignedPart, StartUpload, StartedUpload, UploadOutcomeKind, UploadTarget,
};
use chartdesk_domain::upload_protocol::{PARALLEL_PARTS, PART_SIZE};
use chartdesk_domain::AuditAction;
use chartdesk_domain::{attach, Action, AttachError};
use chartdesk_records::{claim_document, ClaimError};
use uuid::Uuid;

use super::multipart;
use super::upload_plan::{entry, plan, upload_target, Planned};
use crate::access;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::{presign, verify};

#[utoipa::path(post, path = "/v1/uploads", tag = "uploads", request_body = StartUpload,
    security(("bearer" = [])),
    responses((status = 200, body = StartedUpload), (status = 400, body = chartdesk_api::ErrorBody),
        (status = 403, body = chartdesk_api::ErrorBody, description = "reason_required"),
        (status = 409, body = chartdesk_api::ErrorBody, description = "preop_full")))]
pub async fn start(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiJson(up): ApiJson<StartUpload>,
) -> ApiResult<Json<StartedUpload>> {
    user.require(Action::Upload)?;
    let planned = plan(&state, &up)?;
    // The manifest is read alongside, but nothing about the record is told (preop fullness
    // included) before the user is let in. `join`, not `try_join`: a failed read must never
    // cancel the audit event a refused probe writes.
    let (reached, manifest) = tokio::join!(
        upload_target(&state, &user, &planned.mrn, &headers),
        access::manifest(&state, &planned.mrn)
    );
    let reached = reached?;
    if reached.patient.flags.restricted {
        // The answer tells what the record holds (preop full, already there): opening a
        // restricted record, so audited with its reason as any other opening is.
        let detail = access::Detail {
            doc_id: Some(up.doc_id),
            reason: reached.reason.as_ref(),
            ..Default::default()
        };
        access::audit(&state, &user, AuditAction::BreakGlass, &planned.mrn, detail).await?;
    }
    let (manifest, _) = manifest?;
    let expires_in_seconds = presign::EXPIRY.as_secs();
    if manifest.documents.iter().any(|d| d.id == up.doc_id) {
        return Ok(Json(StartedUpload {
            doc_id: up.doc_id,
            already_attached: true,
            objects: Vec::new(),
            expires_in_seconds,
            part_size: PART_SIZE as u64,
            parallel_parts: PARALLEL_PARTS as u32,
        }));
    }
    // Early and friendly; complete enforces it again under the compare-and-swap.
    let mut trial = manifest.clone();
    if let Err(AttachError::PreopFull) = attach(
        &mut trial,
        entry(&planned, &up, &user, &state),
        up.replace_oldest,
    ) {
        return Err(ApiError::PreopFull);
    }
    claim(&state, &planned, up.doc_id).await?;
    let mut objects = Vec::new();
    for (role, key, content_type, _, sha256) in &planned.objects {
        let b64 = verify::hex_to_base64(sha256).ok_or(ApiError::Internal("digest"))?;
        // In parts when the client hashed it in parts (`plan` checked it may).
        let in_parts = *role == ObjectRole::Original && !up.part_sha256.is_empty();
        let target = if in_parts {
            let resumed = match &up.resume_upload_id {
                Some(id) if multipart::still_open(&state, key, id).await => Some(id.clone()),
                _ => None,
            };
            let upload_id = match resumed {
                Some(id) => id,
                None => multipart::create(&state, key, content_type).await?,
            };
            let mut parts = Vec::new();
            for (i, part) in up.part_sha256.iter().enumerate() {
                let number = i32::try_from(i + 1).map_err(|_| ApiError::Internal("parts"))?;
                let part_b64 = verify::hex_to_base64(part).ok_or(ApiError::Internal("digest"))?;
                let request = presign::part(&state, key, &upload_id, number, &part_b64).await?;
                parts.push(PresignedPart { number, request });
            }
            UploadTarget {
                role: *role,
                put: None,
                multipart: Some(MultipartTarget {
                    upload_id,
                    part_size: PART_SIZE as u64,
                    parts,
                }),
            }
        } else {
            // An earlier try of this upload went in parts (under another threshold): its open
            // multipart upload would wait a day for the bucket's lifecycle rule.
            if let Some(id) = &up.resume_upload_id {
                state.store.abort_multipart(key, id).await;
            }
            UploadTarget {
                role: *role,
                put: Some(presign::put(&state, key, content_type, &b64).await?),
                multipart: None,
            }
        };
        objects.push(target);
    }
    Ok(Json(StartedUpload {
        doc_id: up.doc_id,
        already_attached: false,
        objects,
        expires_in_seconds,
        part_size: PART_SIZE as u64,
        parallel_parts: PARALLEL_PARTS as u32,
    }))
}

pub fn refused(doc_id: Uuid, e: &ApiError) -> CompleteResult {
    refused_with(doc_id, e.body())
}

pub fn refused_with(doc_id: Uuid, error: ErrorBody) -> CompleteResult {
    CompleteResult {
        doc_id,
        outcome: if error.code == ApiErrorCode::PreopFull {
            UploadOutcomeKind::PreopFull
        } else {
            UploadOutcomeKind::Refused
        },
        row: None,
        error: Some(error),
    }
}

/// The document id is this record's for good (see `claim_document`); a retry of the same
/// upload passes again, an id already used for another record is refused.
pub async fn claim(state: &AppState, planned: &Planned, id: Uuid) -> ApiResult<()> {
    claim_document(&*state.store, id, &planned.mrn, planned.category)
        .await
        .map_err(claim_error)
}

/// The claim taken at start, checked and marked as being completed (a cancel then leaves the
/// objects alone).
pub async fn claim_completing(state: &AppState, planned: &Planned, id: Uuid) -> ApiResult<()> {
    chartdesk_records::claim_completing(&*state.store, id, &planned.mrn, planned.category)
        .await
        .map_err(claim_error)
}

fn claim_error(e: ClaimError) -> ApiError {
    match e {
        ClaimError::TakenElsewhere => ApiError::Invalid(e.to_string()),
        ClaimError::Store(s) => s.into(),
    }
}

/// Verifies one upload's objects (completing its multipart original first): each one HEAD,
/// the original's type sniffed from its first bytes at the same time.
pub async fn verified(state: &AppState, c: &CompleteUpload, planned: &Planned) -> ApiResult<()> {
    let original = &planned.objects[0].1;
    if let Some(upload_id) = &c.multipart_upload_id {
        multipart::complete(state, original, upload_id, &c.parts, &c.upload.part_sha256).await?;
    }
    let checks = async {
        for (role, key, _, size, sha256) in &planned.objects {
            let parts: &[String] = if *role == ObjectRole::Original {
                &c.upload.part_sha256
            } else {
                &[]
            };
            let expected = verify::Expected {
                size: *size,
                sha256_hex: sha256,
                part_sha256_hex: parts,
            };
            if let Err(e) = verify::object(state, key, &expected).await {
                // Not in any manifest: removed so a corrected retry can create it again.
                if matches!(e, ApiError::Integrity(_)) {
                    let _ = state.store.delete(key).await;
                }
                return Err(e);
            }
        }
        Ok(())
    };
    let (checked, sniffed) = tokio::join!(checks, verify::sniffed_type(state, original));
    // A missing or different object says so before what its first bytes (if any) show.
    checked?;
    if sniffed? != Some(planned.content_type) {
        let _ = state.store.delete(original).await;
        return Err(ApiError::Invalid(format!(
            "{}: the stored file is not the {} it was declared as (checked by content)",
            planned.file_name, planned.content_type
        )));
    }
    Ok(())
}

pub fn already(doc_id: Uuid) -> CompleteResult {
    CompleteResult {
        doc_id,
        outcome: UploadOutcomeKind::AlreadyAttached,
        row: None,
        error: None,
    }
}
