//! The access history of a record (records admins), and reads a desktop made from its offline
//! copy, reported once it is back (marked as such, with the time they happened).

mod offline;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{AuditHistory, OfflineViews, OfflineViewsAccepted};
use chartdesk_domain::Action;
use chartdesk_domain::AuditAction;
use chartdesk_records::audit::{self, Cursor};
use serde::Deserialize;
use utoipa::IntoParams;

use super::params::RecordPath;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// At most this many events (default 200, at most 1000): those the server recorded, newest
    /// first, then views reported later from a desktop's offline copy (`reported_offline`).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The `next` of the page before: the page after it.
    pub after: Option<String>,
}

#[utoipa::path(get, path = "/v1/patients/{mrn}/audit", tag = "audit", operation_id = "audit_history",
    params(RecordPath, HistoryQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditHistory),
        (status = 403, body = chartdesk_api::ErrorBody, description = "role, or reason_required")))]
pub async fn history(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(RecordPath { mrn }): ApiPath<RecordPath>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<AuditHistory>> {
    user.require(Action::ReadAudit)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    let after = match query.after.as_deref() {
        Some(text) => Some(Cursor::parse(text).ok_or_else(|| {
            ApiError::Invalid("The page asked for is not one this server handed out".into())
        })?),
        None => None,
    };
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    let reached = reach_history(&state, &user, mrn, &headers).await?;
    let page = audit::history(&*state.audit, &reached.mrn, limit, after.as_ref()).await?;
    let rows = page
        .events
        .iter()
        .cloned()
        .map(audit::access_event)
        .collect();
    Ok(Json(AuditHistory {
        events: page.events,
        rows,
        next: page.next.map(|c| c.as_text()),
    }))
}

/// The record whose history is read, reached and audited as read. The history holds other
/// staff's break-glass reasons: the rule and the audit apply to it.
pub async fn reach_history(
    state: &AppState,
    user: &VerifiedUser,
    mrn: chartdesk_domain::Mrn,
    headers: &HeaderMap,
) -> ApiResult<access::Reached> {
    let reached = access::reach(state, user, mrn, headers).await?;
    let detail = Detail {
        reason: reached.reason.as_ref(),
        ..Default::default()
    };
    access::audit(state, user, AuditAction::ReadHistory, &reached.mrn, detail).await?;
    Ok(reached)
}

#[utoipa::path(post, path = "/v1/audit/offline-views", tag = "audit", request_body = OfflineViews,
    security(("bearer" = [])),
    responses((status = 200, body = OfflineViewsAccepted), (status = 400, body = chartdesk_api::ErrorBody)))]
pub async fn offline_views(
    State(state): State<AppState>,
    user: VerifiedUser,
    crate::json::ApiJson(body): crate::json::ApiJson<OfflineViews>,
) -> ApiResult<Json<OfflineViewsAccepted>> {
    user.require(Action::ViewRecords)?;
    if body.views.len() > offline::MAX_VIEWS {
        return Err(ApiError::Invalid(format!(
            "One report may hold at most {} offline reads; send the rest in another",
            offline::MAX_VIEWS
        )));
    }
    let now = state.now();
    // Malformed views refuse the whole batch before anything is written.
    let views = offline::parse(&state, &body.views)?;
    let (kept, refused) = offline::plausible(&state, views, now).await?;
    let accepted = offline::store(&state, &user.actor, kept, now).await?;
    Ok(Json(OfflineViewsAccepted { accepted, refused }))
}
