//! Opening one document: the scan status and integrity checked, then a presigned GET of the
//! original or of a 1600 px JPEG preview (`?view=optimized`, `&page=N` for a TIFF's later
//! pages), with every page preview's URL beside it. Audited as a view either way.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{DocumentAccess, DocumentView};
use chartdesk_domain::upload_protocol::PART_SIZE;
use chartdesk_domain::AuditAction;
use chartdesk_domain::{find_entry, find_in_history};
use chartdesk_domain::{keys, Action, DocumentEntry, Mrn};
use serde::Deserialize;
use utoipa::IntoParams;

use super::params::DocumentPath;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::presign;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpenQuery {
    /// `original` (the default) or `optimized`: the 1600 px JPEG of an image.
    pub view: Option<DocumentView>,
    /// With `view=optimized`: which page's preview (1, the default, is the first).
    #[param(minimum = 1)]
    pub page: Option<u32>,
}

#[utoipa::path(get, path = "/v1/patients/{mrn}/documents/{doc_id}", tag = "documents",
    params(DocumentPath, OpenQuery), security(("bearer" = [])),
    responses((status = 200, body = DocumentAccess),
        (status = 400, body = chartdesk_api::ErrorBody, description = "a page asked of the original"),
        (status = 403, body = chartdesk_api::ErrorBody),
        (status = 404, body = chartdesk_api::ErrorBody, description = "no such document, or no preview (of that page, or not made yet)"),
        (status = 422, body = chartdesk_api::ErrorBody),
        (status = 423, body = chartdesk_api::ErrorBody, description = "scan_pending: not checked by the virus scanner yet")))]
pub async fn open(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(DocumentPath { mrn, doc_id }): ApiPath<DocumentPath>,
    ApiQuery(query): ApiQuery<OpenQuery>,
) -> ApiResult<Json<DocumentAccess>> {
    user.require(Action::ViewRecords)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    let (reached, manifest, _) = access::reach_with_manifest(&state, &user, mrn, &headers).await?;
    let entry = entry_for(&user, &manifest, doc_id)?;
    let page = query.page.unwrap_or(1);
    let mut access_to = match query.view.unwrap_or_default() {
        DocumentView::Original if page == 1 => checked_access(&state, &reached.mrn, entry).await?,
        DocumentView::Original => {
            return Err(ApiError::Invalid(
                "A page is a preview: ask for view=optimized with it".into(),
            ))
        }
        DocumentView::Optimized => optimized_access(&state, &reached.mrn, entry, page).await?,
    };
    access_to.page_urls = super::document_pages::page_urls(&state, &reached.mrn, entry).await?;
    if entry.processing.as_ref().is_some_and(|p| p.has_text) {
        let key = keys::text(&reached.mrn, entry.category, entry.id);
        access_to.text_url = Some(presign::get(&state, &key).await?);
    }
    let detail = Detail {
        doc_id: Some(doc_id),
        reason: reached.reason.as_ref(),
        ..Default::default()
    };
    access::audit(&state, &user, AuditAction::View, &reached.mrn, detail).await?;
    Ok(Json(access_to))
}

/// The document `doc_id` as `user` may reach it: a current one, or a replaced or detached one
/// (opened from the history list) for those who may see removed documents.
pub fn entry_for<'m>(
    user: &VerifiedUser,
    manifest: &'m chartdesk_domain::Manifest,
    doc_id: uuid::Uuid,
) -> ApiResult<&'m DocumentEntry> {
    find_entry(manifest, doc_id)
        .or_else(|| {
            find_in_history(manifest, doc_id).filter(|_| user.may(Action::ReadRemovedDocuments))
        })
        .ok_or_else(no_such_document)
}

pub fn no_such_document() -> ApiError {
    ApiError::NotFound(
        "That document is not in this patient's record (it may have been removed)".into(),
    )
}

/// The rules for handing out anything of a document: not flagged by the scanner, checked whole
/// by the worker and found clean (never while pending), and a checksum on record.
fn may_hand_out(entry: &DocumentEntry) -> ApiResult<()> {
    if let Some(withheld) = chartdesk_domain::withheld(entry) {
        return Err(withheld.into());
    }
    if entry.sha256.len() != 64 {
        return Err(ApiError::Integrity(
            "This document has no checksum on record and was not opened. Contact the records team"
                .into(),
        ));
    }
    Ok(())
}

fn mismatch() -> ApiError {
    ApiError::Integrity(
        "The stored file does not match its checksum and was not opened. Contact the records team"
            .into(),
    )
}

/// A page's preview JPEG is a few hundred kB: one far larger is not the worker's.
const PREVIEW_MAX_BYTES: u64 = 8 * 1024 * 1024;

/// The original: handed out when the stored object has the recorded size (and SHA-256, where
/// the store reports it).
pub async fn checked_access(
    state: &AppState,
    mrn: &Mrn,
    entry: &DocumentEntry,
) -> ApiResult<DocumentAccess> {
    may_hand_out(entry)?;
    let ext = keys::extension_for(&entry.content_type).ok_or_else(no_such_document)?;
    let key = keys::original(mrn, entry.category, entry.id, ext);
    let stored = crate::verify::head(state, &key)
        .await?
        .ok_or_else(no_such_document)?;
    let whole = crate::verify::hex_to_base64(&entry.sha256);
    // A multipart object reports a composite of its parts, which the manifest cannot be
    // compared with (the client checks those bytes). S3 marks it `-<parts>`; moto, on the
    // local cloud only, leaves the suffix out, so there any object that can have two parts
    // (over one part's size: `upload_plan`) may be one.
    let may_be_composite = state.local_cloud && stored.size > PART_SIZE as u64;
    let checksum_differs = stored
        .sha256
        .as_deref()
        .is_some_and(|s| !s.contains('-') && !may_be_composite && Some(s) != whole.as_deref());
    if stored.size != entry.size || checksum_differs {
        return Err(mismatch());
    }
    Ok(described(entry, presign::get(state, &key).await?))
}

/// A page's 1600 px JPEG the worker made, under the original's rules. Its SHA-256 is the one
/// the store reports; where it reports none (moto), the bytes are read back and hashed here.
async fn optimized_access(
    state: &AppState,
    mrn: &Mrn,
    entry: &DocumentEntry,
    page: u32,
) -> ApiResult<DocumentAccess> {
    let none = || super::document_pages::no_preview(entry, page);
    let key = keys::page_optimized(mrn, entry.category, entry.id, page);
    if page == 0 || !entry.variants.contains(&key) {
        return Err(none());
    }
    may_hand_out(entry)?;
    let stored = crate::verify::head(state, &key).await?.ok_or_else(none)?;
    if stored.size == 0 || stored.size > PREVIEW_MAX_BYTES {
        return Err(mismatch());
    }
    let reported = stored
        .sha256
        .as_deref()
        .filter(|s| !s.contains('-'))
        .and_then(crate::verify::base64_to_hex);
    let sha256 = match reported {
        Some(hex) => hex,
        None => crate::verify::sha256_of(state, &key, PREVIEW_MAX_BYTES).await?,
    };
    let mut access = described(entry, presign::get(state, &key).await?);
    access.view = DocumentView::Optimized;
    access.content_type = "image/jpeg".into();
    access.size = stored.size;
    access.sha256 = sha256;
    Ok(access)
}

/// The entry as the viewer titles it, for the original at `url`.
fn described(entry: &DocumentEntry, url: String) -> DocumentAccess {
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    DocumentAccess {
        doc_id: entry.id,
        view: DocumentView::Original,
        category: entry.category,
        created: rfc3339(entry.created),
        uploaded_by: entry.uploaded_by.clone(),
        stamp: entry
            .stamp
            .as_ref()
            .map(|s| format!("{} by {} at {}", s.label, s.by, rfc3339(s.at))),
        file_name: chartdesk_domain::typed_name(&entry.file_name, &entry.content_type),
        content_type: entry.content_type.clone(),
        size: entry.size,
        sha256: entry.sha256.clone(),
        url,
        expires_in_seconds: presign::EXPIRY.as_secs(),
        page_urls: Vec::new(),
        text_url: None,
    }
}
