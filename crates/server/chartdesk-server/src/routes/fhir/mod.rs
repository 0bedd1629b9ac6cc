//! The FHIR R4 read API under `/fhir/R4/` (plain axum routes, outside the `/v1` OpenAPI
//! document): one file per resource, thin over the same rules, tokens and audit as `/v1`. The
//! resources and their mapping are `chartdesk-fhir`'s; this module answers in
//! `application/fhir+json` and turns every refusal into an OperationOutcome.

mod audit_event;
mod binary;
mod create;
mod document_reference;
mod export;
mod group;
mod metadata;
mod patient;
mod subscription;

use axum::extract::rejection::QueryRejection;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chartdesk_api::ApiErrorCode;
use chartdesk_fhir::outcome::{outcome, OperationOutcome, SpineCode};
use chartdesk_fhir::search::TokenError;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/fhir/R4/metadata", get(metadata::metadata))
        .route("/fhir/R4/Patient", get(patient::search))
        .route("/fhir/R4/Patient/{id}", get(patient::read))
        .route(
            "/fhir/R4/DocumentReference",
            get(document_reference::search)
                .merge(post(create::create).layer(DefaultBodyLimit::max(create::MAX_BODY_BYTES))),
        )
        .route(
            "/fhir/R4/DocumentReference/{id}",
            get(document_reference::read),
        )
        .route("/fhir/R4/Binary/{id}", get(binary::read))
        .route("/fhir/R4/AuditEvent", get(audit_event::search))
        .route(
            "/fhir/R4/Patient/{id}/$export",
            get(export::patient).post(export::patient),
        )
        .route("/fhir/R4/Group", post(group::create))
        .route("/fhir/R4/Group/{id}", get(group::read))
        .route(
            "/fhir/R4/Group/{id}/$export",
            get(export::group).post(export::group),
        )
        .route(
            "/fhir/R4/$export-status/{job}",
            get(export::status).delete(export::cancel),
        )
        .route(
            "/fhir/R4/Subscription",
            get(subscription::search).post(subscription::create),
        )
        .route(
            "/fhir/R4/Subscription/{id}",
            get(subscription::read).delete(subscription::delete),
        )
}

/// A resource answered as `application/fhir+json`.
pub struct Fhir<T>(pub T);

impl<T: Serialize> IntoResponse for Fhir<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => fhir_json(StatusCode::OK, body),
            Err(_) => FhirError::from_api(
                ApiError::Internal("fhir_serialize"),
                SpineCode::NoRecordFound,
            )
            .into_response(),
        }
    }
}

fn fhir_json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(chartdesk_fhir::FHIR_JSON),
    );
    response
}

/// A refusal as an OperationOutcome, with the status `/v1` gives the same refusal.
#[derive(Debug)]
pub struct FhirError {
    status: StatusCode,
    outcome: OperationOutcome,
}

pub type FhirResult<T> = Result<T, FhirError>;

impl FhirError {
    /// `e` as FHIR; a not-found is answered with `not_found` (which record was not found).
    pub fn from_api(e: ApiError, not_found: SpineCode) -> Self {
        let words = e.to_string();
        let (issue, spine) = match e.code() {
            ApiErrorCode::Unauthenticated | ApiErrorCode::WrongCredentials => ("login", None),
            ApiErrorCode::Forbidden | ApiErrorCode::ReasonRequired => {
                ("forbidden", Some(SpineCode::AccessDenied))
            }
            ApiErrorCode::InvalidInput => ("invalid", Some(SpineCode::InvalidParameter)),
            ApiErrorCode::NotFound => ("not-found", Some(not_found)),
            ApiErrorCode::AmbiguousQuery => ("multiple-matches", None),
            ApiErrorCode::Conflict | ApiErrorCode::PreopFull => ("conflict", None),
            ApiErrorCode::Infected => ("suppressed", None),
            ApiErrorCode::ScanPending | ApiErrorCode::Unavailable => ("transient", None),
            ApiErrorCode::Integrity => ("processing", None),
            ApiErrorCode::TooManyAttempts => ("throttled", None),
            _ => ("exception", None),
        };
        // `/v1`'s answer gives the status and logs internal causes by kind, once.
        let status = e.into_response().status();
        Self {
            status,
            outcome: outcome(issue, spine, &words),
        }
    }

    /// A search parameter this API cannot read.
    pub fn invalid(words: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            outcome: outcome("invalid", Some(SpineCode::InvalidParameter), words),
        }
    }

    pub fn token(e: TokenError) -> Self {
        match e {
            TokenError::InvalidNhsNumber(e) => Self {
                status: StatusCode::BAD_REQUEST,
                outcome: outcome("invalid", Some(SpineCode::InvalidNhsNumber), &e.to_string()),
            },
            TokenError::UnknownSystem => Self::invalid(
                "Give the patient as https://fhir.nhs.uk/Id/nhs-number|{NHS number} or by the trust's MRN system",
            ),
        }
    }
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.outcome).unwrap_or_default();
        fhir_json(self.status, body)
    }
}

/// An `ApiError` from the shared rules, answered as a Patient route answers it.
pub fn on_patient(e: ApiError) -> FhirError {
    FhirError::from_api(e, SpineCode::PatientNotFound)
}

/// An `ApiError` from the shared rules, answered as a document route answers it.
pub fn on_document(e: ApiError) -> FhirError {
    FhirError::from_api(e, SpineCode::NoRecordFound)
}

/// The query's parameters in order (FHIR parameters may repeat); a malformed query is refused.
pub fn params(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> FhirResult<Params> {
    query
        .map(|Query(pairs)| Params(pairs))
        .map_err(|_| FhirError::invalid("The search parameters could not be read"))
}

pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// These parameters and `more` after them.
    pub fn and(mut self, more: Vec<(String, String)>) -> Self {
        self.0.extend(more);
        self
    }

    /// The names given, in order (repeats included).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// Every value of a parameter that may repeat (`date=ge…&date=le…`).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// This server's base for absolute links (`fullUrl`, paging): from the `Host` the client
/// used; relative when there is none (an in-process call).
pub fn base(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match host {
        Some(host) => {
            let tls = state.web.behind_tls || crate::web::forwarded_https(headers);
            let scheme = if tls { "https" } else { "http" };
            format!("{scheme}://{host}/fhir/R4")
        }
        None => "/fhir/R4".into(),
    }
}

/// What every search starts from: the caller (or a 401 OperationOutcome), the headers (the
/// break-glass reason, the host for links) and the parameters.
pub struct Asked(pub crate::auth::VerifiedUser, pub HeaderMap, pub Params);

impl FromRequestParts<AppState> for Asked {
    type Rejection = FhirError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> FhirResult<Self> {
        let user = crate::auth::VerifiedUser::from_request_parts(parts, state)
            .await
            .map_err(on_patient)?;
        let query = Query::<Vec<(String, String)>>::from_request_parts(parts, state).await;
        Ok(Self(user, parts.headers.clone(), params(query)?))
    }
}

/// The user, or a 401 OperationOutcome (the `/v1` extractor, its refusal in FHIR).
pub fn signed_in(
    user: Result<crate::auth::VerifiedUser, ApiError>,
) -> FhirResult<crate::auth::VerifiedUser> {
    user.map_err(on_patient)
}
