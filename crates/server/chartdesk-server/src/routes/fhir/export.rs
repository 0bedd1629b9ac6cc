//! FHIR Bulk Data export (Bulk Data Access IG v2), records admins only:
//! - kick-off `GET|POST Patient/{mrn}/$export` and `Group/{id}/$export` with
//!   `Prefer: respond-async`: each record reached under the break-glass rule and audited
//!   (`Export`, with the reason), then the job written create-only to `exports/jobs/`, whose
//!   creation notifies the processing worker (`chartdesk_worker`'s export step) → `202` and
//!   `Content-Location: {base}/$export-status/{job}`;
//! - `GET $export-status/{job}` (only the admin who asked): `202` with `X-Progress` and
//!   `Retry-After` until the worker's outcome is there, then the manifest with short-lived
//!   presigned URLs (`500` OperationOutcome if the job failed); `DELETE` removes it (`202`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chartdesk_domain::{Action, AuditAction, Mrn};
use chartdesk_fhir::bulk::{
    job_key, outcome_key, output_format_ok, outputs_prefix, parse_since, parse_types, BulkManifest,
    ExportJob, ExportOutcome, ManifestFile, OutputFile, KICK_OFF_PARAMETERS,
};
use chartdesk_fhir::outcome::outcome;
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::PRESIGNED_EXPIRY;
use uuid::Uuid;

use super::{base, on_document, on_patient, Asked, FhirError, FhirResult, Params};
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Seconds a client is asked to wait between status polls.
const RETRY_AFTER: &str = "2";

pub async fn patient(
    State(state): State<AppState>,
    Asked(user, headers, params): Asked,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> FhirResult<Response> {
    asked_by_admin(&user, &headers)?;
    let params = with_posted(params, &body)?;
    let mrn = access::parse_mrn(&state, &id).map_err(on_patient)?;
    kick_off(&state, &user, &headers, &params, &uri, vec![mrn]).await
}

pub async fn group(
    State(state): State<AppState>,
    Asked(user, headers, params): Asked,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> FhirResult<Response> {
    asked_by_admin(&user, &headers)?;
    let params = with_posted(params, &body)?;
    let stored = super::group::stored(&state, &id).await?;
    let mrns = stored
        .mrns
        .iter()
        .map(|m| access::parse_mrn(&state, m).map_err(on_patient))
        .collect::<FhirResult<Vec<Mrn>>>()?;
    kick_off(&state, &user, &headers, &params, &uri, mrns).await
}

/// A POST kick-off may carry its parameters as a FHIR `Parameters` resource (Bulk Data STU2):
/// they join the query's. An empty body (a GET, or a POST with the query only) adds nothing.
fn with_posted(params: Params, body: &[u8]) -> FhirResult<Params> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(params);
    }
    let posted = chartdesk_fhir::bulk::posted_parameters(body)
        .map_err(|e| FhirError::invalid(&e.to_string()))?;
    Ok(params.and(posted))
}

/// Whether the caller asked for unsupported parameters to be ignored (`Prefer: handling=lenient`).
fn lenient(headers: &HeaderMap) -> bool {
    prefers(headers, "handling=lenient")
}

fn prefers(headers: &HeaderMap, what: &str) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|p| p.trim() == what))
}

/// Records admins only; and the IG's kick-off is asynchronous: it must say so.
fn asked_by_admin(user: &VerifiedUser, headers: &HeaderMap) -> FhirResult<()> {
    user.require(Action::BulkExport).map_err(on_patient)?;
    if prefers(headers, "respond-async") {
        Ok(())
    } else {
        Err(FhirError::invalid(
            "An export runs in the background: send the header Prefer: respond-async",
        ))
    }
}

async fn kick_off(
    state: &AppState,
    user: &VerifiedUser,
    headers: &HeaderMap,
    params: &Params,
    uri: &Uri,
    mrns: Vec<Mrn>,
) -> FhirResult<Response> {
    let types = parse_types(params.all("_type")).ok_or_else(|| {
        FhirError::invalid("An export holds Patient and DocumentReference resources only")
    })?;
    if !output_format_ok(params.get("_outputFormat")) {
        return Err(FhirError::invalid(
            "Exports are written as application/fhir+ndjson only",
        ));
    }
    let since =
        parse_since(params.get("_since")).map_err(|e| FhirError::invalid(&e.to_string()))?;
    if !lenient(headers) {
        if let Some(other) = params.names().find(|n| !KICK_OFF_PARAMETERS.contains(n)) {
            return Err(FhirError::invalid(&format!(
                "The export parameter {other} is not supported (only _type, _outputFormat and _since; send Prefer: handling=lenient to have others ignored)"
            )));
        }
    }
    let mut reached = Vec::with_capacity(mrns.len());
    for mrn in mrns {
        reached.push(
            access::reach(state, user, mrn, headers)
                .await
                .map_err(on_patient)?,
        );
    }
    // Audited before anything is written: an export that cannot be audited does not start.
    for r in &reached {
        let detail = Detail {
            reason: r.reason.as_ref(),
            ..Default::default()
        };
        access::audit(state, user, AuditAction::ExportRecord, &r.mrn, detail)
            .await
            .map_err(on_patient)?;
    }
    let base = base(state, headers);
    let origin = base.strip_suffix("/fhir/R4").unwrap_or_default();
    let request = format!(
        "{origin}{}",
        uri.path_and_query().map(|p| p.as_str()).unwrap_or_default()
    );
    let job = ExportJob {
        id: Uuid::now_v7(),
        requested_by: user.actor.clone(),
        requested_at: state.now(),
        request,
        mrns: reached.iter().map(|r| r.mrn.as_str().to_string()).collect(),
        types,
        include_history: user.may(Action::ReadRemovedDocuments),
        since,
        mrn_system: state.fhir.mrn_system.clone(),
    };
    state
        .store
        .put_json(&job_key(job.id), &job, Write::Create)
        .await
        .map_err(|e| on_document(e.into()))?;
    let status = format!("{base}/$export-status/{}", job.id);
    let mut response = StatusCode::ACCEPTED.into_response();
    if let Ok(value) = HeaderValue::from_str(&status) {
        response
            .headers_mut()
            .insert(header::CONTENT_LOCATION, value);
    }
    Ok(response)
}

fn no_job() -> FhirError {
    on_document(ApiError::NotFound("There is no such export".into()))
}

/// The job, when it is the caller's (anyone else's is answered as not there).
async fn own_job(state: &AppState, user: &VerifiedUser, id: &str) -> FhirResult<ExportJob> {
    user.require(Action::BulkExport).map_err(on_patient)?;
    let id = Uuid::parse_str(id).map_err(|_| no_job())?;
    state
        .store
        .get_json::<ExportJob>(&job_key(id))
        .await
        .map_err(|e| on_document(e.into()))?
        .map(|v| v.value)
        .filter(|job| job.requested_by == user.actor)
        .ok_or_else(no_job)
}

pub async fn status(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    Path(id): Path<String>,
) -> FhirResult<Response> {
    let user = super::signed_in(user)?;
    let job = own_job(&state, &user, &id).await?;
    let done = state
        .store
        .get_json::<ExportOutcome>(&outcome_key(job.id))
        .await
        .map_err(|e| on_document(e.into()))?
        .map(|v| v.value);
    let Some(done) = done else {
        let mut response = StatusCode::ACCEPTED.into_response();
        let progress = format!("Exporting {} record(s)", job.mrns.len());
        for (name, value) in [
            (HeaderName::from_static("x-progress"), progress.as_str()),
            (header::RETRY_AFTER, RETRY_AFTER),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().insert(name, value);
            }
        }
        return Ok(response);
    };
    if let Some(words) = done.failed {
        return Err(FhirError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            outcome: outcome("exception", None, &words),
        });
    }
    let manifest = BulkManifest {
        transaction_time: done
            .transaction_time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        request: job.request,
        requires_access_token: false,
        output: presigned(&state, &done.output).await?,
        error: presigned(&state, done.errors.as_slice()).await?,
    };
    let body = serde_json::to_vec(&manifest).unwrap_or_default();
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// Each file as a short-lived GET (the manifest says no token is needed for it).
async fn presigned(state: &AppState, files: &[OutputFile]) -> FhirResult<Vec<ManifestFile>> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let url = state
            .store
            .presign_get(&file.key, PRESIGNED_EXPIRY)
            .await
            .map_err(|e| on_document(e.into()))?;
        out.push(ManifestFile {
            type_: file.resource_type.clone(),
            url,
            count: file.count,
        });
    }
    Ok(out)
}

/// Cancels a job, or removes a finished one's files (`202`).
pub async fn cancel(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    Path(id): Path<String>,
) -> FhirResult<Response> {
    let user = super::signed_in(user)?;
    let job = own_job(&state, &user, &id).await?;
    let store_failed = |e: chartdesk_records::store::StoreError| on_document(e.into());
    // The job first: a worker that has not started finds nothing to do.
    state
        .store
        .delete(&job_key(job.id))
        .await
        .map_err(store_failed)?;
    for key in state
        .store
        .list_keys(&outputs_prefix(job.id))
        .await
        .map_err(store_failed)?
    {
        state.store.delete(&key).await.map_err(store_failed)?;
    }
    Ok(StatusCode::ACCEPTED.into_response())
}
