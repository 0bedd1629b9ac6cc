//! Registering and updating patients (records admins), one at a time or as a PAS-style CSV
//! extract. Each patient is checked whole before anything is written: no partial rows.
//! The NHS lookup object is kept in step; a changed patient is audited before it is written.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{
    ImportOutcome, ImportReport, ImportRow, PatientRegistration, RegisteredPatient,
};
use chartdesk_domain::AuditAction;
use chartdesk_domain::PatientSummary;
use chartdesk_domain::{keys, Action, Gender, Mrn, NhsNumber, Patient, PatientFlags, StatedReason};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::{note_demographics, NhsLookup, PatientRecord, UpdateError};
use time::macros::format_description;
use time::Date;

use super::params::RecordPath;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::state::AppState;

mod change_audit;
use change_audit::audit_change;

const MAX_NAME_CHARS: usize = 100;

fn clean_name(value: &str, what: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > MAX_NAME_CHARS || v.chars().any(char::is_control) {
        return Err(ApiError::Invalid(format!(
            "The {what} must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(v.to_string())
}

/// A UK postcode's shape: outward code, space, inward code (`LS1 4AP`).
fn clean_postcode(value: &str) -> ApiResult<String> {
    let compact: String = value.split_whitespace().collect::<String>().to_uppercase();
    let ok = (5..=7).contains(&compact.len())
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && compact[compact.len() - 3..].starts_with(|c: char| c.is_ascii_digit());
    if !ok {
        return Err(ApiError::Invalid(format!(
            "The postcode {value:?} is not a UK postcode"
        )));
    }
    let (out, inward) = compact.split_at(compact.len() - 3);
    Ok(format!("{out} {inward}"))
}

/// Checks a registration whole; nothing is written unless every field is valid.
pub fn checked(state: &AppState, mrn: &Mrn, r: &PatientRegistration) -> ApiResult<Patient> {
    let nhs_number =
        NhsNumber::parse(&r.nhs_number).map_err(|e| ApiError::Invalid(e.to_string()))?;
    let birth_date = Date::parse(
        r.birth_date.trim(),
        format_description!("[year]-[month]-[day]"),
    )
    .ok()
    .filter(|d| *d <= state.now().date())
    .ok_or_else(|| {
        ApiError::Invalid("The birth date must be a past date written YYYY-MM-DD".into())
    })?;
    let superseded_by = match r.superseded_by.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(other) => {
            let successor = state.mrn_format.parse(other)?;
            if &successor == mrn {
                return Err(ApiError::Invalid("A record cannot supersede itself".into()));
            }
            Some(successor)
        }
    };
    Ok(Patient {
        mrn: mrn.clone(),
        nhs_number,
        given_name: clean_name(&r.given_name, "given name")?,
        family_name: clean_name(&r.family_name, "family name")?,
        birth_date,
        postcode: clean_postcode(&r.postcode)?,
        gender: r.gender,
        flags: PatientFlags {
            restricted: r.restricted,
            superseded: superseded_by.is_some(),
        },
        superseded_by,
    })
}

/// Writes a checked patient: the NHS lookup (create-only; refused when the number belongs to
/// another record), then `patient.json` (create, or compare-and-swap on the version read).
/// An existing restricted record needs a break-glass reason, whoever asks.
pub async fn register(
    state: &AppState,
    user: &VerifiedUser,
    patient: Patient,
    reason: Option<&StatedReason>,
) -> ApiResult<ImportOutcome> {
    let key = keys::patient(&patient.mrn);
    let existing = state.store.get_json::<Patient>(&key).await?;
    if let Some(v) = &existing {
        access::admit(state, user, &v.value, reason).await?;
    }
    if existing.as_ref().is_some_and(|v| v.value == patient) {
        return Ok(ImportOutcome::Unchanged);
    }
    if let Some(successor) = &patient.superseded_by {
        if !state.store.exists(&keys::patient(successor)).await? {
            return Err(ApiError::Invalid(format!(
                "The record {successor} that supersedes this one does not exist"
            )));
        }
    }
    let lookup_key = keys::nhs_lookup(&patient.nhs_number);
    let lookup = state.store.get_json::<NhsLookup>(&lookup_key).await?;
    match &lookup {
        Some(l) if l.value.mrn != patient.mrn.as_str() => {
            // The number moved only if the other record no longer carries it.
            let other = Mrn::from_stored(&l.value.mrn).map_err(|_| ApiError::Internal("lookup"))?;
            let holder = state
                .store
                .get_json::<Patient>(&keys::patient(&other))
                .await?;
            if let Some(h) = holder.filter(|h| h.value.nhs_number == patient.nhs_number) {
                // The answer names the other record: audited on it first, as a find, and
                // refused like one when that record is restricted and no reason was given.
                let holder = &h.value;
                access::admit(state, user, holder, reason).await?;
                let found = access::found_action(holder, reason);
                let detail = Detail {
                    reason,
                    ..Default::default()
                };
                access::audit(state, user, found, &other, detail).await?;
                return Err(ApiError::Conflict(format!(
                    "NHS number {} already belongs to the record with MRN {other}",
                    patient.nhs_number.display_form()
                )));
            }
        }
        _ => {}
    }
    audit_change(
        state,
        user,
        existing.as_ref().map(|v| &v.value),
        &patient,
        reason,
    )
    .await?;
    let record = NhsLookup {
        mrn: patient.mrn.to_string(),
    };
    match lookup {
        None => {
            state
                .store
                .put_json(&lookup_key, &record, Write::Create)
                .await?;
        }
        Some(l) if l.value.mrn != patient.mrn.as_str() => {
            state
                .store
                .put_json(&lookup_key, &record, Write::IfMatch(l.etag))
                .await?;
        }
        Some(_) => {}
    }
    let outcome = match existing {
        None => {
            state.store.put_json(&key, &patient, Write::Create).await?;
            ImportOutcome::Created
        }
        Some(v) => {
            state
                .store
                .put_json(&key, &patient, Write::IfMatch(v.etag))
                .await?;
            ImportOutcome::Updated
        }
    };
    // Last: the manifest's ETag is the record's version, so a patient change must change it.
    note_demographics(&*state.store, &patient)
        .await
        .map_err(|e| match e {
            UpdateError::Store(e) => ApiError::from(e),
            UpdateError::Rule(never) => match never {},
            UpdateError::Contended => ApiError::Conflict(
                "The record is being changed by many people at once; please try again".into(),
            ),
        })?;
    Ok(outcome)
}

#[utoipa::path(put, path = "/v1/patients/{mrn}", tag = "patients", request_body = PatientRegistration,
    params(RecordPath), security(("bearer" = [])),
    responses((status = 200, body = RegisteredPatient), (status = 400, body = chartdesk_api::ErrorBody),
        (status = 409, body = chartdesk_api::ErrorBody)))]
pub async fn put_patient(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(RecordPath { mrn }): ApiPath<RecordPath>,
    crate::json::ApiJson(body): crate::json::ApiJson<PatientRegistration>,
) -> ApiResult<Json<RegisteredPatient>> {
    user.require(Action::ManagePatients)?;
    let mrn = access::parse_mrn(&state, &mrn)?;
    let patient = checked(&state, &mrn, &body)?;
    let reason = access::stated_reason(&headers)?;
    let outcome = register(&state, &user, patient.clone(), reason.as_ref()).await?;
    if outcome == ImportOutcome::Unchanged {
        // Nothing is written, but the answer shows the record (banner and tiles).
        let detail = Detail {
            reason: reason.as_ref(),
            ..Default::default()
        };
        let action = AuditAction::PatientUnchanged;
        access::audit(&state, &user, action, &mrn, detail).await?;
    }
    let (manifest, manifest_etag) = access::manifest(&state, &mrn).await?;
    let record = PatientRecord {
        patient,
        manifest,
        manifest_etag,
    };
    let mut summary =
        PatientSummary::from_record(&record.patient, &record.manifest, state.now().date());
    summary.can_upload = user.may(Action::Upload);
    summary.can_view_history = user.may(Action::ReadAudit);
    summary.can_export = user.may(Action::Export);
    summary.can_export_record = user.may(Action::BulkExport);
    Ok(Json(RegisteredPatient { outcome, summary }))
}

/// The CSV header a PAS extract must have, in this order.
pub const CSV_HEADER: [&str; 7] = [
    "nhs_number",
    "mrn",
    "given_name",
    "family_name",
    "birth_date",
    "gender",
    "postcode",
];

#[utoipa::path(post, path = "/v1/patients/import", tag = "patients",
    request_body(content = String, content_type = "text/csv",
        description = "header nhs_number,mrn,given_name,family_name,birth_date,gender,postcode"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 400, body = chartdesk_api::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    body: String,
) -> ApiResult<Json<ImportReport>> {
    user.require(Action::ManagePatients)?;
    // One reason for the whole file: a row for a restricted record is refused without one.
    let reason = access::stated_reason(&headers)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|_| ApiError::Invalid("The file is not readable CSV".into()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != CSV_HEADER {
        return Err(ApiError::Invalid(format!(
            "The first row must be the header {}",
            CSV_HEADER.join(",")
        )));
    }
    let mut report = ImportReport {
        rows: Vec::new(),
        created: 0,
        updated: 0,
        unchanged: 0,
        refused: 0,
    };
    for (n, record) in reader.records().enumerate() {
        let line = u32::try_from(n + 2).unwrap_or(u32::MAX);
        let row = match record {
            Ok(r) => import_row(&state, &user, &r, reason.as_ref()).await,
            Err(_) => Err((
                None,
                ApiError::Invalid("The row is not readable CSV".into()),
            )),
        };
        let (mrn, outcome, message) = match row {
            Ok((mrn, outcome)) => (Some(mrn), outcome, format!("{outcome:?}").to_lowercase()),
            Err((mrn, e)) => (mrn, ImportOutcome::Refused, e.to_string()),
        };
        match outcome {
            ImportOutcome::Created => report.created += 1,
            ImportOutcome::Updated => report.updated += 1,
            ImportOutcome::Unchanged => report.unchanged += 1,
            ImportOutcome::Refused => report.refused += 1,
        }
        report.rows.push(ImportRow {
            line,
            mrn,
            outcome,
            message,
        });
    }
    Ok(Json(report))
}

async fn import_row(
    state: &AppState,
    user: &VerifiedUser,
    r: &csv::StringRecord,
    reason: Option<&StatedReason>,
) -> Result<(String, ImportOutcome), (Option<String>, ApiError)> {
    let field = |i: usize| r.get(i).unwrap_or_default().to_string();
    if r.len() != CSV_HEADER.len() {
        return Err((
            None,
            ApiError::Invalid(format!("The row has {} fields; 7 are needed", r.len())),
        ));
    }
    let mrn_text = field(1).trim().to_string();
    let mrn = state
        .mrn_format
        .parse(&mrn_text)
        .map_err(|e| (None, ApiError::Invalid(e.to_string())))?;
    let shown = Some(mrn.to_string());
    let gender = Gender::parse(&field(5)).ok_or_else(|| {
        (
            shown.clone(),
            ApiError::Invalid("gender must be female, male, other or unknown".into()),
        )
    })?;
    let registration = PatientRegistration {
        nhs_number: field(0),
        given_name: field(2),
        family_name: field(3),
        birth_date: field(4),
        gender,
        postcode: field(6),
        restricted: false,
        superseded_by: None,
    };
    let patient = checked(state, &mrn, &registration).map_err(|e| (shown.clone(), e))?;
    // An import never clears flags a records admin set by hand.
    let existing = state
        .store
        .get_json::<Patient>(&keys::patient(&mrn))
        .await
        .map_err(|e| (shown.clone(), e.into()))?;
    let patient = match existing {
        Some(v) => Patient {
            flags: v.value.flags,
            superseded_by: v.value.superseded_by,
            ..patient
        },
        None => patient,
    };
    let outcome = register(state, user, patient, reason)
        .await
        .map_err(|e| (shown.clone(), e))?;
    Ok((mrn.to_string(), outcome))
}
