//! Uploads as server intents (see chartdesk-api's `uploads`): start validates and presigns
//! (`upload_start`, which also takes a batch); complete (`upload_complete`) claims each
//! document id for its record, verifies the stored objects and attaches a batch. Idempotent by
//! the client's `doc_id`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{
    ApiErrorCode, CompleteResult, CompleteUpload, ErrorBody, ObjectRole, StartUpload,
    StartedUpload, UploadOutcomeKind,
};
use chartdesk_domain::Action;
use chartdesk_records::ClaimError;
use uuid::Uuid;

use super::multipart;
use super::upload_plan::{plan, Planned};
use super::upload_start::{already as already_started, early, presign_upload};
use super::upload_start::{opened, Early};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::verify;

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
    let manifest = opened(&state, &user, &planned.mrn, &headers, &[up.doc_id]).await?;
    let mut trial = manifest.clone();
    Ok(Json(
        match early(&state, &user, (&manifest, &mut trial), &planned, &up)? {
            Early::Already => already_started(up.doc_id),
            Early::Go => presign_upload(&state, &planned, &up).await?,
        },
    ))
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

/// The document id claimed for this record for good and marked as being completed by a new
/// attempt (a cancel then leaves the objects alone), which is returned for the release. An id
/// already used for another record is refused, as is an upload the user cancelled; either way
/// what was sent under it here is removed: those keys are this record's, which does not hold
/// the id (the caller checked) and never will, so they are this upload's alone (a PUT that
/// landed after the cancel's clean-up, say). One another complete is attaching is refused for
/// a later try, its objects left alone.
pub async fn claim_completing(state: &AppState, planned: &Planned, id: Uuid) -> ApiResult<Uuid> {
    let (mrn, category, now) = (&planned.mrn, planned.category, state.now());
    match chartdesk_records::claim_completing(&*state.store, id, mrn, category, now).await {
        Ok(attempt) => Ok(attempt),
        Err(ClaimError::Store(e)) => Err(e.into()),
        Err(e @ ClaimError::Busy) => Err(ApiError::Conflict(e.to_string())),
        Err(e) => {
            state.store.abort_abandoned(&planned.objects[0].1).await;
            for (_, key, ..) in &planned.objects {
                let _ = state.store.delete(key).await;
            }
            // Final: asking again would be refused again.
            Err(ApiError::Invalid(e.to_string()))
        }
    }
}

/// Verifies one upload's objects (completing its multipart original first): each one HEAD.
/// None of their bytes is read back here: S3 checked the signed SHA-256 of each PUT, and the
/// worker checks the whole original, its type by content included, before anyone may open it.
pub async fn verified(state: &AppState, c: &CompleteUpload, planned: &Planned) -> ApiResult<()> {
    let original = &planned.objects[0].1;
    if let Some(upload_id) = &c.multipart_upload_id {
        multipart::complete(state, original, upload_id, &c.parts, &c.upload.part_sha256).await?;
    }
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
}

pub fn already(doc_id: Uuid) -> CompleteResult {
    CompleteResult {
        doc_id,
        outcome: UploadOutcomeKind::AlreadyAttached,
        row: None,
        error: None,
    }
}
