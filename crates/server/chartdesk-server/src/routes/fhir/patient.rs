//! `GET /fhir/R4/Patient?identifier=…` and `GET /fhir/R4/Patient/{id}` (id = MRN): the same
//! lookup, break-glass rule and audit (a find) as `GET /v1/patients`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chartdesk_domain::{Action, PatientQuery};
use chartdesk_fhir::search::{identifier_token, IdentifierToken};
use chartdesk_fhir::{Bundle, BundleEntry, BundleLink};

use super::{base, on_patient, signed_in, Asked, Fhir, FhirError, FhirResult};
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn search(
    State(state): State<AppState>,
    Asked(user, headers, params): Asked,
) -> FhirResult<Fhir<Bundle>> {
    user.require(Action::ViewRecords).map_err(on_patient)?;
    let token = params.get("identifier").ok_or_else(|| {
        FhirError::invalid("Give identifier=https://fhir.nhs.uk/Id/nhs-number|{NHS number}")
    })?;
    let query = patient_query(&state, token)?;
    let base = base(&state, &headers);
    let self_link = || BundleLink {
        relation: "self".into(),
        url: format!(
            "{base}/Patient?identifier={}",
            super::document_reference::encode(token)
        ),
    };
    let record = match super::super::patients::find_exactly(&state, &query).await {
        Ok(record) => record,
        // Nobody by that identifier: an empty searchset, and nothing named to audit.
        Err(ApiError::NotFound(_)) => {
            return Ok(Fhir(Bundle::searchset(0, vec![], vec![self_link()])))
        }
        Err(e) => return Err(on_patient(e)),
    };
    let patient = found(&state, &user, &headers, &record.patient).await?;
    let entry = BundleEntry::matched(format!("{base}/Patient/{}", patient.id), &patient);
    Ok(Fhir(Bundle::searchset(1, vec![entry], vec![self_link()])))
}

pub async fn read(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> FhirResult<Fhir<chartdesk_fhir::patient::Patient>> {
    let user = signed_in(user)?;
    user.require(Action::ViewRecords).map_err(on_patient)?;
    let mrn = access::parse_mrn(&state, &id).map_err(|_| no_patient(&id))?;
    let reached = access::reach(&state, &user, mrn, &headers)
        .await
        .map_err(on_patient)?;
    audit_found(&state, &user, &reached.patient, reached.reason.as_ref()).await?;
    Ok(Fhir(chartdesk_fhir::patient::patient(
        &reached.patient,
        &state.fhir.mrn_system,
    )))
}

fn no_patient(id: &str) -> FhirError {
    on_patient(ApiError::NotFound(format!(
        "No patient found with MRN {id}"
    )))
}

/// The `/v1` query an identifier token names; an invalid NHS number is refused as Spine does.
pub fn patient_query(state: &AppState, token: &str) -> FhirResult<PatientQuery> {
    match identifier_token(token, &state.fhir.mrn_system).map_err(FhirError::token)? {
        IdentifierToken::Nhs(nhs) => Ok(PatientQuery::Nhs(nhs)),
        IdentifierToken::Mrn(mrn) => Ok(PatientQuery::Mrn(
            access::parse_mrn(state, &mrn).map_err(on_patient)?,
        )),
    }
}

/// The break-glass rule for a patient found by search, then its audit: as `/v1`'s find.
async fn found(
    state: &AppState,
    user: &VerifiedUser,
    headers: &HeaderMap,
    patient: &chartdesk_domain::Patient,
) -> FhirResult<chartdesk_fhir::patient::Patient> {
    let reason = access::stated_reason(headers).map_err(|e| on_patient(e.into()))?;
    access::admit(state, user, patient, reason.as_ref())
        .await
        .map_err(on_patient)?;
    audit_found(state, user, patient, reason.as_ref()).await?;
    Ok(chartdesk_fhir::patient::patient(
        patient,
        &state.fhir.mrn_system,
    ))
}

async fn audit_found(
    state: &AppState,
    user: &VerifiedUser,
    patient: &chartdesk_domain::Patient,
    reason: Option<&chartdesk_domain::StatedReason>,
) -> FhirResult<()> {
    let action = access::found_action(patient, reason);
    let detail = Detail {
        reason,
        ..Default::default()
    };
    access::audit(state, user, action, &patient.mrn, detail)
        .await
        .map_err(on_patient)
}
