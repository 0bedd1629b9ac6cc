//! What left a category's current list: its replaced and detached documents (still openable
//! through `document_open`, audited as any view) and the tombstones of deleted ones. For
//! clinicians and records admins; audited as a list.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::DocumentHistory;
use chartdesk_domain::history_rows;
use chartdesk_domain::AuditAction;
use chartdesk_domain::{Action, Category};
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
    /// A category id (`preop`, `lab`, …).
    #[param(value_type = chartdesk_domain::Category)]
    pub category: String,
}

#[utoipa::path(get, path = "/v1/patients/{mrn}/document-history", tag = "documents", operation_id = "document_history",
    params(RecordPath, HistoryQuery), security(("bearer" = [])),
    responses((status = 200, body = DocumentHistory), (status = 403, body = chartdesk_api::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(RecordPath { mrn }): ApiPath<RecordPath>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<DocumentHistory>> {
    user.require(Action::ReadRemovedDocuments)?;
    let category = Category::from_id(&query.category)
        .ok_or_else(|| ApiError::Invalid("There is no such document category".into()))?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    let (reached, manifest, _) = access::reach_with_manifest(&state, &user, mrn, &headers).await?;
    let rows = history_rows(&manifest, category);
    let detail = Detail {
        reason: reached.reason.as_ref(),
        count: Some(u32::try_from(rows.len()).unwrap_or(u32::MAX)),
        ..Default::default()
    };
    access::audit(&state, &user, AuditAction::List, &reached.mrn, detail).await?;
    Ok(Json(DocumentHistory { rows }))
}
