//! The record's version for an open record to poll (ARCHITECTURE.md §2, "The open record
//! refreshes itself"): the same access checks as the list, then ONE conditional read of the
//! manifest (304 from S3 when unchanged, no body). Not audited: it shows nothing of the record;
//! a client that sees a new version reads the record again through the audited routes.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chartdesk_api::RecordVersion;
use chartdesk_domain::{keys, Action, Patient};
use chartdesk_records::store::Fetched;

use super::params::RecordPath;
use crate::access;
use crate::auth::VerifiedUser;
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::state::AppState;

/// The record's version: a digest of the demographics (a restricted flag, a merge, a corrected
/// name) and the manifest's ETag (documents, stamps, verdicts). `find` answers the same value.
pub fn record_version(patient: &Patient, manifest_etag: Option<&str>) -> String {
    let patient = serde_json::to_vec(patient).unwrap_or_default();
    let digest = chartdesk_domain::sha256_hex(&patient);
    format!(
        "{}.{}",
        &digest[..16.min(digest.len())],
        manifest_etag.unwrap_or(NO_MANIFEST)
    )
}

/// The manifest part of a version before the record's first document.
const NO_MANIFEST: &str = "none";

#[utoipa::path(get, path = "/v1/patients/{mrn}/version", tag = "patients", operation_id = "record_version",
    params(RecordPath, ("If-None-Match" = Option<String>, Header, description = "the version last seen")),
    security(("bearer" = [])),
    responses((status = 200, body = RecordVersion),
        (status = 304, description = "unchanged since the version sent (not audited)"),
        (status = 403, body = chartdesk_api::ErrorBody, description = "role, or reason_required"),
        (status = 404, body = chartdesk_api::ErrorBody)))]
pub async fn version(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(RecordPath { mrn }): ApiPath<RecordPath>,
) -> ApiResult<Response> {
    user.require(Action::ViewRecords)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    // The patient is read for the break-glass rule (never cached: a restriction holds at once).
    let reached = access::reach(&state, &user, mrn, &headers).await?;
    let sent = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let sent_etag = sent
        .and_then(|v| v.split_once('.'))
        .map(|(_, etag)| etag)
        .filter(|etag| *etag != NO_MANIFEST && !etag.is_empty());
    let etag = match state
        .store
        .get(&keys::manifest(&reached.mrn), sent_etag)
        .await?
    {
        Fetched::NotModified => sent_etag.map(str::to_owned),
        Fetched::Body(_, etag) => Some(etag),
        Fetched::Missing => None,
    };
    let version = record_version(&reached.patient, etag.as_deref());
    if sent == Some(version.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    Ok(Json(RecordVersion { version }).into_response())
}
