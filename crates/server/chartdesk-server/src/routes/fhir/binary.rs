//! `GET /fhir/R4/Binary/{id}`: a redirect to a short-lived presigned URL of the original,
//! under `/v1`'s open rules (verdict, integrity) and audited as the same open (`View`).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chartdesk_domain::{Action, AuditAction};

use super::{on_document, signed_in, FhirResult};
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::ApiError;
use crate::routes::document_open;
use crate::state::AppState;

pub async fn read(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> FhirResult<Response> {
    let user = signed_in(user)?;
    user.require(Action::ViewRecords).map_err(on_document)?;
    let (reached, manifest, doc_id) =
        super::document_reference::reach_document(&state, &user, &headers, &id).await?;
    let entry = document_open::entry_for(&user, &manifest, doc_id).map_err(on_document)?;
    let access_to = document_open::checked_access(&state, &reached.mrn, entry)
        .await
        .map_err(on_document)?;
    let location = HeaderValue::from_str(&access_to.url)
        .map_err(|_| on_document(ApiError::Internal("presigned_url_header")))?;
    let detail = Detail {
        doc_id: Some(doc_id),
        reason: reached.reason.as_ref(),
        ..Default::default()
    };
    access::audit(&state, &user, AuditAction::View, &reached.mrn, detail)
        .await
        .map_err(on_document)?;
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}
