//! Cancel: an upload the user stopped before it was attached leaves nothing behind. Its
//! multipart upload is aborted and any object already sent is removed; an attached document
//! is never touched (that takes a records admin's delete). The cancel is marked on the id's
//! claim before anything is removed, so a complete that comes later attaches nothing and one
//! already at work keeps its objects (`mark_cancelled`).

use axum::extract::State;
use axum::http::StatusCode;
use chartdesk_api::AbortUpload;
use chartdesk_domain::{keys, Action};
use chartdesk_records::{mark_cancelled, Cancelling};

use crate::access;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;

/// Every type an original may have been declared as (the abort does not need to know which).
const EXTENSIONS: [&str; 4] = ["pdf", "jpg", "png", "tif"];

#[utoipa::path(post, path = "/v1/uploads/abort", tag = "uploads", request_body = AbortUpload,
    security(("bearer" = [])),
    responses((status = 204, description = "nothing of the upload is left"),
        (status = 409, body = chartdesk_api::ErrorBody, description = "already attached, or being attached now")))]
pub async fn abort(
    State(state): State<AppState>,
    user: VerifiedUser,
    ApiJson(up): ApiJson<AbortUpload>,
) -> ApiResult<StatusCode> {
    user.require(Action::Upload)?;
    let mrn = access::parse_mrn(&state, &up.mrn)?;
    let attached = |manifest: &chartdesk_domain::Manifest| {
        manifest.documents.iter().any(|d| d.id == up.doc_id)
    };
    let in_record = || {
        ApiError::Conflict(
            "This document is already in the record; a records admin can remove it".into(),
        )
    };
    if attached(&access::manifest(&state, &mrn).await?.0) {
        return Err(in_record());
    }
    match mark_cancelled(&*state.store, up.doc_id, &mrn, up.category, state.now()).await? {
        // A complete is checking these very objects: deleting them now would let another
        // start put different bytes under a document about to be attached.
        Cancelling::Completing => {
            return Err(ApiError::Conflict(
                "This file is being added to the record right now and can no longer be cancelled"
                    .into(),
            ))
        }
        // A complete claimed it before the mark and may have attached it since the first read.
        Cancelling::Cancelled {
            claimed_before: true,
        } if attached(&access::manifest(&state, &mrn).await?.0) => return Err(in_record()),
        Cancelling::Cancelled { .. } | Cancelling::OtherRecord => {}
    }
    let mut objects = vec![
        keys::optimized(&mrn, up.category, up.doc_id),
        keys::thumb(&mrn, up.category, up.doc_id),
    ];
    for ext in EXTENSIONS {
        let original = keys::original(&mrn, up.category, up.doc_id, ext);
        state.store.abort_abandoned(&original).await;
        objects.push(original);
    }
    for key in objects {
        // Unattached: no entry names it, so removing it loses nothing.
        state.store.delete(&key).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
