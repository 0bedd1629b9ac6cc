//! A category's document list, with scan status and thumbnail URLs in one answer; audited.
//! Opening one document is `document_open`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chartdesk_api::DocumentList;
use chartdesk_domain::AuditAction;
use chartdesk_domain::{rows_for, RowPermissions};
use chartdesk_domain::{Action, Category};
use serde::Deserialize;
use utoipa::IntoParams;

use super::document_page::{self, cut, Page, MAX_PAGE};
use super::params::RecordPath;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A category id (`lab`, `ot_notes`, …); or leave it out and give `search`.
    #[param(value_type = Option<chartdesk_domain::Category>)]
    pub category: Option<String>,
    /// Text matched against file name, category and uploader, and the words of each document's
    /// text (PDF text or OCR), across the whole record.
    pub search: Option<String>,
    /// At most this many rows (a screen); without it, every row.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next` a page gave (a row's document id): the rows after it.
    pub after: Option<uuid::Uuid>,
}

pub fn permissions(user: &VerifiedUser) -> RowPermissions {
    RowPermissions {
        stamp: user.may(Action::Stamp),
        remove: user.may(Action::DetachOrDelete),
    }
}

#[utoipa::path(get, path = "/v1/patients/{mrn}/documents", tag = "documents",
    params(RecordPath, ListQuery), security(("bearer" = [])),
    responses((status = 200, body = DocumentList), (status = 304, description = "unchanged since the ETag sent"),
        (status = 403, body = chartdesk_api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(RecordPath { mrn }): ApiPath<RecordPath>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    user.require(Action::ViewRecords)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    let (reached, manifest, etag) =
        access::reach_with_manifest(&state, &user, mrn, &headers).await?;
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| etag.as_deref() == Some(sent));
    if unchanged {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let may = permissions(&user);
    let mrn = &reached.mrn;
    let rows: Vec<(chartdesk_domain::DocumentRow, Option<String>)> =
        match (query.category.as_deref(), query.search.as_deref()) {
            (Some(id), _) => {
                let category = Category::from_id(id).ok_or_else(|| {
                    ApiError::Invalid("There is no such document category".into())
                })?;
                rows_for(&manifest, category, may)
                    .into_iter()
                    .map(|r| (r, None))
                    .collect()
            }
            (None, Some(text)) => {
                super::document_search::search(&state, mrn, &manifest, text, may).await
            }
            (None, None) => {
                return Err(ApiError::Invalid("Give a category or a search text".into()))
            }
        };
    // Rows are named by their id's canonical text (lower-case, hyphenated), as `to_string` gives.
    let after = query.after.map(|id| id.to_string());
    let page = Page {
        after: after.as_deref(),
        limit: page_limit(query.limit)?,
    };
    let (rows, next) = cut(rows, |(r, _)| r.id.as_str(), &page)?;
    let rows = rows
        .into_iter()
        .map(|(mut row, found_in)| {
            row.found_in = found_in;
            row
        })
        .collect();
    // Verdicts and renditions come with the manifest (the worker records them there): no
    // request per row; presigning is local.
    let listed = document_page::listed(&state, mrn, &manifest, rows).await?;
    let count = u32::try_from(listed.len()).unwrap_or(u32::MAX);
    let thumbs = listed.iter().filter(|d| d.thumbnail_url.is_some()).count();
    let reason = reached.reason.as_ref();
    let list = Detail {
        reason,
        count: Some(count),
        ..Default::default()
    };
    let thumbnails = async {
        if thumbs == 0 {
            return Ok(());
        }
        let detail = Detail {
            reason,
            count: u32::try_from(thumbs).ok(),
            ..Default::default()
        };
        access::audit(&state, &user, AuditAction::Thumbnails, mrn, detail).await
    };
    tokio::try_join!(
        access::audit(&state, &user, AuditAction::List, mrn, list),
        thumbnails
    )?;
    let body = DocumentList {
        rows: listed,
        etag,
        next,
    };
    Ok(Json(body).into_response())
}

/// Store reads in flight at once for one export.
pub const PARALLEL_LOOKUPS: usize = 8;

/// A page's size as asked: 1 to `MAX_PAGE` rows.
fn page_limit(limit: Option<u32>) -> ApiResult<Option<usize>> {
    match limit.map(|l| l as usize) {
        Some(l) if l == 0 || l > MAX_PAGE => Err(ApiError::Invalid(format!(
            "A page holds 1 to {MAX_PAGE} rows"
        ))),
        other => Ok(other),
    }
}
