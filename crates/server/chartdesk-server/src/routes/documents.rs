//! A category's document list, with scan status and thumbnail URLs in one answer; audited.
//! Opening one document is `document_open`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chartdesk_api::{DocumentList, ListedDocument};
use chartdesk_domain::AuditAction;
use chartdesk_domain::{find_entry, rows_for, RowPermissions};
use chartdesk_domain::{keys, Action, Category, Mrn};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::params::RecordPath;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::presign;
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
    // Verdicts and renditions come with the manifest (the worker records them there): no
    // request per row; presigning is local.
    let mut listed = Vec::with_capacity(rows.len());
    for (mut row, found_in) in rows {
        row.found_in = found_in;
        listed.push(listed_document(&state, mrn, &manifest, row).await?);
    }
    inline_first_thumbnails(&state, mrn, &manifest, &mut listed).await;
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
    let body = DocumentList { rows: listed, etag };
    Ok(Json(body).into_response())
}

/// Store reads in flight at once for one export.
pub const PARALLEL_LOOKUPS: usize = 8;

/// Rows a list shows before scrolling: their thumbnails come inside the answer.
pub const INLINE_THUMBNAILS: usize = 12;
/// A 320 px JPEG is a few tens of kB; anything larger goes by URL (and `plan` refuses such a
/// thumb at upload).
const INLINE_THUMBNAIL_MAX: u64 = super::upload_plan::THUMB_MAX_BYTES;

/// The first screen's thumbnails read here and sent in the list (the client then needs no
/// request per thumbnail). Best effort: a thumbnail not read keeps its URL.
async fn inline_first_thumbnails(
    state: &AppState,
    mrn: &Mrn,
    manifest: &chartdesk_domain::Manifest,
    listed: &mut [ListedDocument],
) {
    use base64::Engine;
    let wanted: Vec<(usize, String)> = listed
        .iter()
        .enumerate()
        .filter(|(_, d)| d.thumbnail_url.is_some())
        .take(INLINE_THUMBNAILS)
        .filter_map(|(i, d)| {
            let entry = find_entry(manifest, Uuid::parse_str(&d.row.id).ok()?)?;
            Some((i, keys::thumb(mrn, entry.category, entry.id)))
        })
        .collect();
    let read = futures_util::future::join_all(
        wanted
            .iter()
            .map(|(_, key)| state.store.get_small(key, INLINE_THUMBNAIL_MAX)),
    )
    .await;
    for ((i, _), bytes) in wanted.into_iter().zip(read) {
        if let Ok(Some(bytes)) = bytes {
            listed[i].thumbnail = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
    }
}

/// One row as the worker left it and, for a document that may be shown, its thumbnail URL.
async fn listed_document(
    state: &AppState,
    mrn: &Mrn,
    manifest: &chartdesk_domain::Manifest,
    row: chartdesk_domain::DocumentRow,
) -> ApiResult<ListedDocument> {
    let entry = Uuid::parse_str(&row.id)
        .ok()
        .and_then(|id| find_entry(manifest, id));
    let Some(entry) = entry else {
        return Ok(ListedDocument {
            row,
            thumbnail_url: None,
            thumbnail: None,
        });
    };
    let thumb = keys::thumb(mrn, entry.category, entry.id);
    let thumbnail_url = if row.can_open && entry.variants.contains(&thumb) {
        Some(presign::get(state, &thumb).await?)
    } else {
        None
    };
    Ok(ListedDocument {
        row,
        thumbnail_url,
        thumbnail: None,
    })
}
