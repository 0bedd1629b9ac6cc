//! The access history of a record (records admins), and views a desktop made offline,
//! reported once it is back (marked as such, with the time they happened).

use axum::extract::{Path, Query, State};
use axum::Json;
use chartdesk_api::{AuditHistory, OfflineViews, OfflineViewsAccepted};
use chartdesk_domain::Action;
use chartdesk_records::audit::{self, AuditAction, AuditEvent};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::IntoParams;

use crate::access;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct HistoryQuery {
    /// At most this many events, newest first (default 200, at most 1000).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/v1/patients/{mrn}/audit", tag = "audit",
    params(("mrn" = String, Path), HistoryQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditHistory), (status = 403, body = chartdesk_api::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    user: VerifiedUser,
    Path(mrn): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Json<AuditHistory>> {
    user.require(Action::ReadAudit)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    let events = audit::history(&state.audit, &mrn, limit).await?;
    let rows = events.iter().cloned().map(audit::access_event).collect();
    Ok(Json(AuditHistory { events, rows }))
}

/// How far ahead of the server's clock a reported view may claim to be.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

#[utoipa::path(post, path = "/v1/audit/offline-views", tag = "audit", request_body = OfflineViews,
    security(("bearer" = [])),
    responses((status = 200, body = OfflineViewsAccepted), (status = 400, body = chartdesk_api::ErrorBody)))]
pub async fn offline_views(
    State(state): State<AppState>,
    user: VerifiedUser,
    crate::json::ApiJson(body): crate::json::ApiJson<OfflineViews>,
) -> ApiResult<Json<OfflineViewsAccepted>> {
    user.require(Action::ViewRecords)?;
    let now = state.now();
    // All checked before any is written: a bad batch writes nothing.
    let mut events = Vec::with_capacity(body.views.len());
    for view in &body.views {
        let mrn = access::parse_mrn(&state, &view.mrn)?;
        // A desktop clock running fast must not lose the event (nor block the desktop's other
        // reports): a time ahead of the server's is kept as the server's, plus the skew allowed.
        let at = OffsetDateTime::parse(&view.at, &Rfc3339)
            .map_err(|_| ApiError::Invalid("A reported view has no valid time".into()))?
            .min(now + CLOCK_SKEW);
        let event = AuditEvent {
            event_id: view.event_id,
            at: at.format(&Rfc3339).unwrap_or_default(),
            actor: user.actor.clone(),
            action: AuditAction::View,
            mrn: mrn.to_string(),
            doc_id: view.doc_id,
            reason: None,
            count: None,
            reported_at: Some(now.format(&Rfc3339).unwrap_or_default()),
        };
        events.push((at, event));
    }
    for (at, event) in &events {
        // Keyed by the desktop's event id and time: a replay finds its own event (create-only).
        audit::write(&state.audit, *at, event)
            .await
            .map_err(ApiError::AuditFailed)?;
    }
    Ok(Json(OfflineViewsAccepted {
        accepted: u32::try_from(events.len()).unwrap_or(u32::MAX),
    }))
}
