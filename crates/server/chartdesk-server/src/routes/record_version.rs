//! The record's version for an open record to poll (ARCHITECTURE.md §2, "The open record
//! refreshes itself"): while unchanged, ONE conditional read of the manifest (304 from S3, no
//! body); when changed, the list's access checks, then the new version. Not audited: it shows
//! nothing of the record; a client that sees a new version reads the record again through the
//! audited routes.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chartdesk_api::RecordVersion;
use chartdesk_domain::{keys, Action};
use chartdesk_records::store::Fetched;

use super::params::RecordPath;
use crate::access;
use crate::auth::VerifiedUser;
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::state::AppState;

/// The record's version: the manifest's ETag. Every change to the record changes it: documents,
/// stamps and verdicts are manifest writes, and registering changed demographics (a
/// restriction, a merge) writes their digest into the manifest too. `find` answers the same value.
pub fn record_version(manifest_etag: Option<&str>) -> String {
    manifest_etag.unwrap_or(NO_MANIFEST).to_string()
}

/// The version of a record with no manifest yet.
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
    let sent = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    // While nothing changed, one conditional read: the client was admitted when it was handed
    // this version, and a restriction since would have changed it.
    if let Some(seen) = sent.filter(|v| !v.is_empty() && *v != NO_MANIFEST) {
        if let Fetched::NotModified = state.store.get(&keys::manifest(&mrn), Some(seen)).await? {
            return Ok(StatusCode::NOT_MODIFIED.into_response());
        }
    }
    // Changed (or first asked): the list's access checks, then the version.
    let reached = access::reach(&state, &user, mrn, &headers).await?;
    let etag = match state.store.get(&keys::manifest(&reached.mrn), None).await? {
        Fetched::Body(_, etag) => Some(etag),
        Fetched::NotModified | Fetched::Missing => None,
    };
    let version = record_version(etag.as_deref());
    if sent == Some(version.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    Ok(Json(RecordVersion { version }).into_response())
}
