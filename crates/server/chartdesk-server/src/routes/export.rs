//! Export: the server decides what the user may take away (attached documents the scanner has
//! not flagged, each with a checksum on record and intact in the store), audits one event per
//! document, and hands back a presigned GET for each. The desktop writes the ZIP itself.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{DocumentAccess, ExportRequest, ExportedDocuments};
use chartdesk_domain::AuditAction;
use chartdesk_domain::{Action, Category, DocumentEntry, DocumentStatus, Mrn};
use futures_util::future::try_join_all;

use super::document_open::{checked_access, no_such_document};
use super::documents::PARALLEL_LOOKUPS;
use super::params::RecordPath;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::state::AppState;

/// Documents one export may hold (each is a HEAD, a presign and an audit write): a whole
/// record is a few hundred at most.
pub const MAX_DOCUMENTS: usize = 500;

#[utoipa::path(post, path = "/v1/patients/{mrn}/export", tag = "documents",
    params(RecordPath), request_body = ExportRequest, security(("bearer" = [])),
    responses((status = 200, body = ExportedDocuments), (status = 403, body = chartdesk_api::ErrorBody),
        (status = 404, body = chartdesk_api::ErrorBody), (status = 422, body = chartdesk_api::ErrorBody),
        (status = 423, body = chartdesk_api::ErrorBody, description = "scan_pending: a chosen document not checked by the virus scanner yet")))]
pub async fn export(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(RecordPath { mrn }): ApiPath<RecordPath>,
    ApiJson(request): ApiJson<ExportRequest>,
) -> ApiResult<Json<ExportedDocuments>> {
    let (_, chosen) = choose(&state, &user, &headers, &mrn, &request, None).await?;
    let documents = chosen.into_iter().map(|(_, access)| access).collect();
    Ok(Json(ExportedDocuments { documents }))
}

/// What an export may take away, each document checked and its export audited; refused,
/// before anything is audited, when the documents add up to more than `max_bytes`.
pub(super) async fn choose(
    state: &AppState,
    user: &VerifiedUser,
    headers: &HeaderMap,
    mrn: &str,
    request: &ExportRequest,
    max_bytes: Option<u64>,
) -> ApiResult<(Mrn, Vec<(DocumentEntry, DocumentAccess)>)> {
    let state = state.clone();
    // The README's role table: clinicians and records admins export; ward staff do not.
    user.require(Action::Export)?;
    if request.doc_ids.len() > MAX_DOCUMENTS {
        return Err(too_many());
    }
    let mrn = access::parse_mrn(&state, mrn)?;
    let (reached, manifest, _) = access::reach_with_manifest(&state, user, mrn, headers).await?;
    let mut chosen: Vec<&DocumentEntry> = manifest
        .entries()
        .filter(|d| d.status == DocumentStatus::Attached)
        .filter(|d| request.doc_ids.contains(&d.id) || request.categories.contains(&d.category))
        .collect();
    let asked_for_missing = request
        .doc_ids
        .iter()
        .any(|id| !chosen.iter().any(|d| d.id == *id));
    if chosen.is_empty() || asked_for_missing {
        return Err(no_such_document());
    }
    if chosen.len() > MAX_DOCUMENTS {
        return Err(too_many());
    }
    chosen.sort_by_key(|d| {
        (
            Category::ALL.iter().position(|c| *c == d.category),
            d.created,
        )
    });
    let mrn = &reached.mrn;
    // Of whole categories, only what may be opened goes (a file the scanner flagged or has not
    // checked yet stays behind); a document named on its own must pass.
    let exportable: Vec<&DocumentEntry> = chosen
        .iter()
        .filter(|entry| request.doc_ids.contains(&entry.id) || chartdesk_domain::may_serve(entry))
        .copied()
        .collect();
    if exportable.is_empty() {
        return Err(no_such_document());
    }
    let total: u64 = exportable.iter().map(|e| e.size).sum();
    if let Some(limit) = max_bytes.filter(|limit| total > *limit) {
        let mib = |n: u64| n.div_ceil(1024 * 1024);
        return Err(ApiError::Invalid(format!(
            "These documents come to {} MiB, more than the {} MiB one download from the browser can hold. Export fewer at a time, or use the Chartdesk desktop app",
            mib(total),
            mib(limit)
        )));
    }
    // Every document is checked before anything is audited or handed out.
    let mut documents = Vec::with_capacity(exportable.len());
    for chunk in exportable.chunks(PARALLEL_LOOKUPS) {
        documents.extend(try_join_all(chunk.iter().map(|e| checked_access(&state, mrn, e))).await?);
    }
    for chunk in exportable.chunks(PARALLEL_LOOKUPS) {
        try_join_all(chunk.iter().map(|e| {
            let detail = Detail {
                doc_id: Some(e.id),
                reason: reached.reason.as_ref(),
                ..Default::default()
            };
            access::audit(&state, user, AuditAction::Export, mrn, detail)
        }))
        .await?;
    }
    let entries = exportable.into_iter().cloned();
    Ok((reached.mrn.clone(), entries.zip(documents).collect()))
}

fn too_many() -> ApiError {
    ApiError::Invalid(format!(
        "One export holds at most {MAX_DOCUMENTS} documents: choose fewer and export the rest separately"
    ))
}
