//! `POST /fhir/R4/DocumentReference`: a document filed by calling `/v1`'s own upload steps,
//! never a copy of them. `start` (role, declaration, break-glass, early preop check),
//! then the server writes the bytes it was sent under the original's key with their SHA-256
//! (the store checks it; its type by content first), then `complete` (the id's claim, a HEAD, preop
//! under the CAS, audit). The original lands where a `/v1` upload's does, so the worker
//! processes it alike.
//! A retry with the same document id (`masterIdentifier` or `If-None-Exist`) answers the
//! existing resource with `200` and creates nothing. Without inline data, two steps: `start`'s
//! presigned PUT(s) answered as `202` Parameters, then the same POST completes.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use chartdesk_api::{
    ApiErrorCode, CompleteUpload, CompleteUploads, CompletedPartDto, ErrorBody, PresignedRequest,
    StartUpload, StartedUpload, UploadOutcomeKind,
};
use chartdesk_domain::{sniff, type_label, Action, BreakGlassError, Mrn, ACCEPTED_TYPES};
use chartdesk_fhir::create::{if_none_exist, new_document, NewDocument, Subject};
use chartdesk_fhir::ids::document_id;
use chartdesk_fhir::outcome::{outcome, SpineCode};
use chartdesk_fhir::two_step::{upload_parameters, Put};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::StoreError;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::super::upload_plan::plan;
use super::super::{upload_complete, uploads};
use super::{base, fhir_json, on_document, on_patient, signed_in, FhirError, FhirResult};
use crate::auth::VerifiedUser;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;

/// The most a document sent inline may hold (decoded); larger files take the two-step upload.
pub const MAX_INLINE_BYTES: usize = 8 * 1024 * 1024;
/// The request body this route reads: 8 MiB in base64 and the resource around it.
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

pub async fn create(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> FhirResult<Response> {
    let user = signed_in(user)?;
    user.require(Action::Upload).map_err(on_document)?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => invalid_resource("The request body could not be read"),
    })?;
    let new = new_document(&body).map_err(|e| invalid_resource(&e.to_string()))?;
    let doc_id = doc_id(&new, &headers)?;
    let bytes = match &new.data {
        Some(data) => Some(decoded(data)?),
        None => None,
    };
    let (mrn, nhs) = record_of(&state, &new.subject).await?;
    let up = declaration(&new, &bytes, doc_id, &mrn)?;
    let started = uploads::start(
        State(state.clone()),
        user.clone(),
        headers.clone(),
        ApiJson(up.clone()),
    )
    .await
    .map_err(refused_api)?;
    if started.already_attached {
        return answer(&state, &headers, &mrn, &nhs, doc_id, StatusCode::OK).await;
    }
    let planned = plan(&state, &up).map_err(refused_api)?;
    let key = &planned.objects[0].1;
    match bytes {
        Some(bytes) => match state
            .store
            .put(key, bytes, planned.content_type, Write::Create)
            .await
        {
            // An earlier try stored it: verification says whether it is this file.
            Ok(_) | Err(StoreError::Conflict) => {}
            Err(e) => return Err(on_document(e.into())),
        },
        // Two steps: the first POST is answered where to PUT the file; the same POST once
        // it is there (or with the multipart upload's parts) completes.
        None => {
            let sent = new.parts.upload_id.is_some()
                || state
                    .store
                    .exists(key)
                    .await
                    .map_err(|e| on_document(e.into()))?;
            if !sent {
                return Ok(accepted(&started));
            }
        }
    }
    let batch = CompleteUploads {
        uploads: vec![CompleteUpload {
            upload: up,
            multipart_upload_id: new.parts.upload_id.clone(),
            parts: new
                .parts
                .uploaded
                .iter()
                .map(|(number, etag)| CompletedPartDto {
                    number: *number,
                    etag: etag.clone(),
                })
                .collect(),
        }],
    };
    let Json(done) =
        upload_complete::complete(State(state.clone()), user, headers.clone(), ApiJson(batch))
            .await
            .map_err(refused_api)?;
    let result = done
        .results
        .into_iter()
        .next()
        .ok_or_else(|| on_document(ApiError::Internal("fhir_create")))?;
    match (result.outcome, result.error) {
        (UploadOutcomeKind::Attached, _) => {
            answer(&state, &headers, &mrn, &nhs, doc_id, StatusCode::CREATED).await
        }
        (UploadOutcomeKind::AlreadyAttached, _) => {
            answer(&state, &headers, &mrn, &nhs, doc_id, StatusCode::OK).await
        }
        (_, Some(error)) => Err(refused(error)),
        (_, None) => Err(on_document(ApiError::Internal("fhir_create"))),
    }
}

/// The client's document id: `masterIdentifier`/`identifier` and `If-None-Exist` must agree;
/// with neither the server chooses one (and a retry would file the document again).
fn doc_id(new: &NewDocument, headers: &HeaderMap) -> FhirResult<Uuid> {
    let asked = match headers.get("if-none-exist") {
        Some(value) => Some(value.to_str().ok().and_then(if_none_exist).ok_or_else(|| {
            FhirError::invalid(
                "If-None-Exist is given as identifier=urn:ietf:rfc:3986|urn:uuid:{id}",
            )
        })?),
        None => None,
    };
    match (asked, new.doc_id) {
        (Some(a), Some(b)) if a != b => Err(invalid_resource(
            "If-None-Exist and the masterIdentifier name different documents",
        )),
        (a, b) => Ok(a.or(b).unwrap_or_else(Uuid::now_v7)),
    }
}

/// The inline bytes, refused with 413 above `MAX_INLINE_BYTES` (before decoding all of it).
fn decoded(data: &str) -> FhirResult<Vec<u8>> {
    if data.len() / 4 * 3 > MAX_INLINE_BYTES + 3 {
        return Err(too_large());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| invalid_resource("content[0].attachment.data is not base64"))?;
    if bytes.len() > MAX_INLINE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// `/v1`'s declaration of this document: for inline bytes their own size and SHA-256 (a
/// SHA-256 extension sent with them must agree); else the attachment's size and extension.
fn declaration(
    new: &NewDocument,
    bytes: &Option<Vec<u8>>,
    doc_id: Uuid,
    mrn: &Mrn,
) -> FhirResult<StartUpload> {
    let (size, sha256) = match bytes {
        Some(bytes) => {
            let sha256 = hex::encode(Sha256::digest(bytes));
            if new.sha256.as_ref().is_some_and(|s| *s != sha256) {
                return Err(invalid_resource(
                    "The attachment's SHA-256 does not match the data sent",
                ));
            }
            // The bytes are in hand: a sender hears of a wrong type now, not from the worker.
            let accepted = ACCEPTED_TYPES.iter().any(|t| t.content_type == new.content_type);
            // A type not accepted at all is `start`'s refusal, in its words.
            if accepted && sniff(bytes) != Some(new.content_type.as_str()) {
                return Err(invalid_resource(&format!(
                    "The attachment is not the {} its contentType declares (checked by content)",
                    type_label(&new.content_type)
                )));
            }
            (bytes.len() as u64, sha256)
        }
        None => match (new.size, &new.sha256) {
            (Some(size), Some(sha256)) => (size, sha256.clone()),
            _ => {
                return Err(invalid_resource(
                    "Send the file inline as content[0].attachment.data (base64), or for two steps its size and SHA-256 extension",
                ))
            }
        },
    };
    Ok(StartUpload {
        doc_id,
        mrn: mrn.to_string(),
        category: new.category,
        file_name: new.title.clone(),
        content_type: new.content_type.clone(),
        size,
        sha256,
        replace_oldest: new.replace_oldest,
        part_sha256: new.parts.part_sha256.clone(),
        resume_upload_id: new.parts.upload_id.clone(),
    })
}

/// `202 Accepted`: where to PUT the file (or each part), as `/v1`'s start presigned it.
fn accepted(started: &StartedUpload) -> Response {
    let request = |part: Option<i32>, r: &PresignedRequest| Put {
        part,
        url: r.url.clone(),
        headers: r
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect(),
    };
    let mut puts = Vec::new();
    let mut multipart = None;
    for object in &started.objects {
        puts.extend(object.put.iter().map(|r| request(None, r)));
        if let Some(m) = &object.multipart {
            multipart = Some((m.upload_id.as_str(), m.part_size));
            puts.extend(m.parts.iter().map(|p| request(Some(p.number), &p.request)));
        }
    }
    let parameters =
        upload_parameters(started.doc_id, started.expires_in_seconds, multipart, &puts);
    fhir_json(StatusCode::ACCEPTED, parameters.to_string().into_bytes())
}

/// The record the subject names (its MRN and NHS number); break-glass is `start`'s to check.
async fn record_of(state: &AppState, subject: &Subject) -> FhirResult<(Mrn, String)> {
    let query = match subject {
        Subject::Token(token) => super::patient::patient_query(state, token)?,
        Subject::Mrn(mrn) => chartdesk_domain::PatientQuery::Mrn(
            crate::access::parse_mrn(state, mrn).map_err(on_patient)?,
        ),
    };
    let record = super::super::patients::find_exactly(state, &query)
        .await
        .map_err(on_patient)?;
    let nhs = record.patient.nhs_number.digits().to_string();
    Ok((record.patient.mrn, nhs))
}

/// The document as now filed: `Location` and the resource (`docStatus` preliminary until the
/// worker found it clean).
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    mrn: &Mrn,
    nhs: &str,
    doc_id: Uuid,
    status: StatusCode,
) -> FhirResult<Response> {
    let (manifest, _) = crate::access::manifest(state, mrn)
        .await
        .map_err(on_document)?;
    let entry = manifest
        .documents
        .iter()
        .find(|d| d.id == doc_id)
        .ok_or_else(|| on_document(ApiError::Internal("fhir_create_lost")))?;
    let id = document_id(mrn.as_str(), doc_id);
    let cx = chartdesk_fhir::document_reference::Context {
        id: &id,
        nhs_digits: nhs,
        servable: chartdesk_domain::may_serve(entry),
    };
    let resource = chartdesk_fhir::document_reference::document_reference(entry, &cx)
        .ok_or_else(|| on_document(ApiError::Internal("fhir_create_deleted")))?;
    let body = serde_json::to_vec(&resource)
        .map_err(|_| on_document(ApiError::Internal("fhir_serialize")))?;
    let mut response = fhir_json(status, body);
    let location = format!("{}/DocumentReference/{id}", base(state, headers));
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response.into_response())
}

/// A refusal of the resource itself: 400 `INVALID_RESOURCE` with the staff words.
fn invalid_resource(words: &str) -> FhirError {
    FhirError {
        status: StatusCode::BAD_REQUEST,
        outcome: outcome("invalid", Some(SpineCode::InvalidResource), words),
    }
}

fn too_large() -> FhirError {
    FhirError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        outcome: outcome(
            "too-long",
            None,
            &format!(
                "A file sent inline holds at most {} MiB: send larger files in two steps (POST without data, PUT the file to the address given, POST again)",
                MAX_INLINE_BYTES / 1_048_576
            ),
        ),
    }
}

/// A `/v1` refusal; an invalid declaration (type by content, size) is an invalid resource.
fn refused_api(e: ApiError) -> FhirError {
    match e {
        ApiError::Invalid(words) => invalid_resource(&words),
        e => on_document(e),
    }
}

/// A refusal `complete` reported for this upload, answered as `/v1` answers the same code.
fn refused(error: ErrorBody) -> FhirError {
    refused_api(match error.code {
        ApiErrorCode::InvalidInput => ApiError::Invalid(error.message),
        ApiErrorCode::PreopFull => ApiError::PreopFull,
        ApiErrorCode::Conflict => ApiError::Conflict(error.message),
        ApiErrorCode::Integrity => ApiError::Integrity(error.message),
        ApiErrorCode::NotFound => ApiError::NotFound(error.message),
        ApiErrorCode::Forbidden => ApiError::Forbidden,
        ApiErrorCode::ReasonRequired => ApiError::BreakGlass(BreakGlassError::ReasonRequired),
        ApiErrorCode::Unavailable => ApiError::Unavailable,
        _ => ApiError::Internal("fhir_create_refused"),
    })
}
