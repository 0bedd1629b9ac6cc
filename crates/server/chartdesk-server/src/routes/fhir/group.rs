//! `POST /fhir/R4/Group` (records admins: a list of patients for `Group/{id}/$export`, members
//! by `Patient/{mrn}` or an NHS-number identifier, each checked to exist) and `GET Group/{id}`.
//! Stored as MRNs only (`fhir/groups/{id}.json`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chartdesk_domain::Action;
use chartdesk_fhir::codes::NHS_NUMBER_SYSTEM;
use chartdesk_fhir::group::{group, group_key, Group, MemberRef, StoredGroup};
use chartdesk_records::store::object_store::Write;
use uuid::Uuid;

use super::patient::patient_query;
use super::{base, on_document, on_patient, signed_in, Fhir, FhirError, FhirResult};
use crate::auth::VerifiedUser;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn create(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> FhirResult<Response> {
    let user = signed_in(user)?;
    user.require(Action::BulkExport).map_err(on_patient)?;
    let asked: Group = serde_json::from_slice(&body)
        .map_err(|_| FhirError::invalid("The Group could not be read as FHIR JSON"))?;
    if asked.resource_type != "Group" || asked.type_ != "person" || asked.member.is_empty() {
        return Err(FhirError::invalid(
            "Send a Group of type person with at least one member",
        ));
    }
    let mut mrns: Vec<String> = Vec::new();
    for member in &asked.member {
        let token = match member.entity.patient() {
            Some(MemberRef::Mrn(mrn)) => format!("{}|{mrn}", state.fhir.mrn_system),
            Some(MemberRef::Nhs(nhs)) => format!("{NHS_NUMBER_SYSTEM}|{nhs}"),
            None => {
                return Err(FhirError::invalid(
                    "Name each member as Patient/{MRN} or by its NHS number identifier",
                ))
            }
        };
        let query = patient_query(&state, &token)?;
        let record = super::super::patients::find_exactly(&state, &query)
            .await
            .map_err(on_patient)?;
        let mrn = record.patient.mrn.as_str().to_string();
        if !mrns.contains(&mrn) {
            mrns.push(mrn);
        }
    }
    let stored = StoredGroup {
        id: Uuid::now_v7(),
        created_by: user.actor.clone(),
        mrns,
    };
    state
        .store
        .put_json(&group_key(stored.id), &stored, Write::Create)
        .await
        .map_err(|e| on_document(e.into()))?;
    let location = format!("{}/Group/{}", base(&state, &headers), stored.id);
    let mut response = Fhir(group(&stored)).into_response();
    *response.status_mut() = StatusCode::CREATED;
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

pub async fn read(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    Path(id): Path<String>,
) -> FhirResult<Fhir<Group>> {
    let user = signed_in(user)?;
    user.require(Action::BulkExport).map_err(on_patient)?;
    Ok(Fhir(group(&stored(&state, &id).await?)))
}

/// The stored group `id` names, or a 404 OperationOutcome.
pub async fn stored(state: &AppState, id: &str) -> FhirResult<StoredGroup> {
    let none = || on_document(ApiError::NotFound("There is no such group".into()));
    let id = Uuid::parse_str(id).map_err(|_| none())?;
    state
        .store
        .get_json::<StoredGroup>(&group_key(id))
        .await
        .map_err(|e| on_document(e.into()))?
        .map(|v| v.value)
        .ok_or_else(none)
}
