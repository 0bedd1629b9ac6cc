//! Several uploads started in one request (issue 25 item 1): each patient of the batch is
//! visited once (access, demographics, manifest), then each upload is begun as `POST
//! /v1/uploads` begins it. A refusal is that upload's answer, never the batch's.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{
    ErrorBody, StartResult, StartUploads, StartedUploads, MAX_UPLOADS_PER_COMPLETE,
};
use chartdesk_domain::{Action, Mrn};
use futures_util::future::join_all;
use futures_util::StreamExt;

use super::upload_complete::PARALLEL_CHECKS;
use super::upload_plan::{plan, visit, Visit};
use super::uploads::begin;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;

#[utoipa::path(post, path = "/v1/uploads/batch", tag = "uploads", request_body = StartUploads,
    security(("bearer" = [])),
    responses((status = 200, body = StartedUploads, description = "one answer per upload, in order"),
        (status = 400, body = chartdesk_api::ErrorBody),
        (status = 403, body = chartdesk_api::ErrorBody, description = "the role may not upload")))]
pub async fn start_batch(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<StartUploads>,
) -> ApiResult<Json<StartedUploads>> {
    user.require(Action::Upload)?;
    if batch.uploads.is_empty() || batch.uploads.len() > MAX_UPLOADS_PER_COMPLETE {
        return Err(ApiError::Invalid(format!(
            "Send between 1 and {MAX_UPLOADS_PER_COMPLETE} files in one go; send the rest separately"
        )));
    }
    let planned: Vec<_> = batch
        .uploads
        .iter()
        .map(|up| plan(&state, up).map_err(|e| e.body()))
        .collect();
    let patients: BTreeMap<&str, &Mrn> = planned
        .iter()
        .flatten()
        .map(|p| (p.mrn.as_str(), &p.mrn))
        .collect();
    let visits = join_all(patients.values().map(|mrn| async {
        let visited = visit(&state, &user, mrn, &headers).await;
        (mrn.to_string(), visited.map_err(|e| e.body()))
    }))
    .await;
    let visits: BTreeMap<String, Result<Visit, ErrorBody>> = visits.into_iter().collect();
    // Built first, then run a few at a time (a lazy map here would not be `Send` for axum).
    let mut begun = Vec::with_capacity(planned.len());
    for (up, planned) in batch.uploads.iter().zip(&planned) {
        let (state, user, visits) = (&state, &user, &visits);
        begun.push(async move {
            let started = match planned {
                Err(body) => Err(body.clone()),
                Ok(p) => match &visits[p.mrn.as_str()] {
                    Err(body) => Err(body.clone()),
                    Ok(visited) => begin(state, user, up, p, visited)
                        .await
                        .map_err(|e| e.body()),
                },
            };
            let (started, error) = match started {
                Ok(started) => (Some(started), None),
                Err(error) => (None, Some(error)),
            };
            StartResult {
                doc_id: up.doc_id,
                started,
                error,
            }
        });
    }
    let results = futures_util::stream::iter(begun)
        .buffered(PARALLEL_CHECKS)
        .collect()
        .await;
    Ok(Json(StartedUploads { results }))
}
