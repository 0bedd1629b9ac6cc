//! Stamp (clinicians), detach and delete (records admins): each one compare-and-swap manifest
//! write, audited before it is committed. Delete removes the objects after the manifest
//! (a crash between leaves orphans, never an entry without its file) and leaves a tombstone
//! (who, when, why) in the record's history.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chartdesk_api::DeleteDocument;
use chartdesk_domain::AuditAction;
use chartdesk_domain::{apply_stamp, delete_reason, keys, Action, DocumentStatus};
use chartdesk_domain::{row_for, DocumentRow};
use chartdesk_records::{update_manifest, update_manifest_from};
use uuid::Uuid;

use super::document_open::no_such_document;
use super::documents::permissions;
use super::params::DocumentPath;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::state::AppState;

#[utoipa::path(post, path = "/v1/patients/{mrn}/documents/{doc_id}/stamp", tag = "documents",
    params(DocumentPath), security(("bearer" = [])),
    responses((status = 200, body = DocumentRow), (status = 403, body = chartdesk_api::ErrorBody),
        (status = 409, body = chartdesk_api::ErrorBody, description = "already stamped")))]
pub async fn stamp(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(DocumentPath { mrn, doc_id }): ApiPath<DocumentPath>,
) -> ApiResult<Json<DocumentRow>> {
    user.require(Action::Stamp)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    let reached = access::reach(&state, &user, mrn, &headers).await?;
    // Read once: checked here, then the first try of the swap (a long record's entries are
    // neither read nor copied twice).
    let stored = access::stored(&state, &reached.mrn).await?;
    let entry = stored
        .iter()
        .flat_map(|s| &s.manifest.documents)
        .find(|d| d.id == doc_id && d.status == DocumentStatus::Attached)
        .ok_or_else(no_such_document)?;
    // Refused early for a clear message; the rule is applied again inside the swap.
    apply_stamp(&mut entry.clone(), &user.actor, state.now())?;
    let detail = Detail {
        doc_id: Some(doc_id),
        reason: reached.reason.as_ref(),
        ..Default::default()
    };
    access::audit(&state, &user, AuditAction::Stamp, &reached.mrn, detail).await?;
    let now = state.now();
    let may = permissions(&user);
    let row = update_manifest_from(&*state.store, &reached.mrn, stored, |manifest| {
        let entry = manifest
            .documents
            .iter_mut()
            .find(|d| d.id == doc_id && d.status == DocumentStatus::Attached)
            .ok_or_else(no_such_document)?;
        apply_stamp(entry, &user.actor, now)?;
        row_for(manifest, doc_id, may).ok_or_else(no_such_document)
    })
    .await?;
    Ok(Json(row))
}

#[utoipa::path(post, path = "/v1/patients/{mrn}/documents/{doc_id}/detach", tag = "documents",
    params(DocumentPath), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = chartdesk_api::ErrorBody),
        (status = 404, body = chartdesk_api::ErrorBody)))]
pub async fn detach(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(DocumentPath { mrn, doc_id }): ApiPath<DocumentPath>,
) -> ApiResult<StatusCode> {
    user.require(Action::DetachOrDelete)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    // Break-glass holds for records admins too.
    let reached = access::reach(&state, &user, mrn.clone(), &headers).await?;
    let detail = Detail {
        doc_id: Some(doc_id),
        reason: reached.reason.as_ref(),
        ..Default::default()
    };
    ensure_listed(&state, &mrn, doc_id, true).await?;
    access::audit(&state, &user, AuditAction::Detach, &mrn, detail).await?;
    let now = state.now();
    update_manifest(&*state.store, &mrn, |manifest| {
        let entry = manifest
            .documents
            .iter_mut()
            .find(|d| d.id == doc_id && d.status == DocumentStatus::Attached)
            .ok_or_else(no_such_document)?;
        entry.retire(DocumentStatus::Detached, &user.actor, now, None);
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/v1/patients/{mrn}/documents/{doc_id}", tag = "documents",
    params(DocumentPath), request_body = DeleteDocument,
    security(("bearer" = [])),
    responses((status = 204), (status = 400, body = chartdesk_api::ErrorBody, description = "no reason given"),
        (status = 403, body = chartdesk_api::ErrorBody), (status = 404, body = chartdesk_api::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(DocumentPath { mrn, doc_id }): ApiPath<DocumentPath>,
    ApiJson(asked): ApiJson<DeleteDocument>,
) -> ApiResult<StatusCode> {
    user.require(Action::DetachOrDelete)?;
    let why = delete_reason(&asked.reason).map_err(|e| ApiError::Invalid(e.to_string()))?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    // Break-glass holds for records admins too.
    let reached = access::reach(&state, &user, mrn.clone(), &headers).await?;
    ensure_listed(&state, &mrn, doc_id, false).await?;
    let detail = Detail {
        doc_id: Some(doc_id),
        reason: reached.reason.as_ref(),
        ..Default::default()
    };
    access::audit(&state, &user, AuditAction::Delete, &mrn, detail).await?;
    let now = state.now();
    let removed = update_manifest(&*state.store, &mrn, |manifest| {
        let entry = manifest
            .documents
            .iter_mut()
            .find(|d| d.id == doc_id && d.status != DocumentStatus::Deleted)
            .ok_or_else(no_such_document)?;
        let before = entry.clone();
        entry.retire(DocumentStatus::Deleted, &user.actor, now, Some(why.clone()));
        Ok::<_, ApiError>(before)
    })
    .await?;
    let ext = keys::extension_for(&removed.content_type).unwrap_or("bin");
    // The original, every rendition (every page's) and the text the worker read; keys come
    // from validated ids only, the renditions' from the entry as the server wrote it.
    let mut objects = vec![
        keys::original(&mrn, removed.category, doc_id, ext),
        keys::optimized(&mrn, removed.category, doc_id),
        keys::thumb(&mrn, removed.category, doc_id),
        keys::text(&mrn, removed.category, doc_id),
    ];
    let own_prefix = keys::patient_prefix(&mrn);
    for key in &removed.variants {
        if key.starts_with(&own_prefix) && !objects.contains(key) {
            objects.push(key.clone());
        }
    }
    for key in objects {
        state.store.delete(&key).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Checked before the audit event, so a request for nothing writes no event.
async fn ensure_listed(
    state: &AppState,
    mrn: &chartdesk_domain::Mrn,
    id: Uuid,
    attached_only: bool,
) -> ApiResult<()> {
    let (manifest, _) = access::manifest(state, mrn).await?;
    manifest
        .documents
        .iter()
        .filter(|d| d.status != DocumentStatus::Deleted)
        .any(|d| d.id == id && (!attached_only || d.status == DocumentStatus::Attached))
        .then_some(())
        .ok_or_else(no_such_document)
}
