//! Finding a patient by NHS number or MRN: the banner, the seven tiles and the first screen of
//! the first blue tile, in one answer and one audit event; a restricted record needs a
//! break-glass reason, which the audit keeps.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chartdesk_api::{FirstScreen, FoundPatient};
use chartdesk_domain::{rows_for, PatientSummary};
use chartdesk_domain::{Action, BreakGlassError, Patient, PatientQuery, StatedReason};
use chartdesk_records::find_patient;
use serde::Deserialize;
use utoipa::IntoParams;

use super::document_page::{self, cut, Page, FIRST_SCREEN};
use super::documents;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindQuery {
    /// What the user typed: an NHS number (spaces or dashes allowed) or an MRN (`MRN 123`
    /// forces one), as `chartdesk_domain::PatientQuery` reads it, whitespace around it aside.
    /// The pattern shows the default MRN format (6 to 12 digits); a hospital's own may also
    /// allow letters. An NHS number's check digit is the server's to judge.
    #[param(
        min_length = 1,
        pattern = r"^[\s\u0085]*(?:[Mm][Rr][Nn][: ]*[\s\u0085]*[0-9]{6,12}|(?:[Nn][Hh][Ss][: ]*[\s\u0085]*)?[ -]*(?:[0-9][ -]*){10}|[0-9]{6,12})[\s\u0085]*$"
    )]
    pub q: String,
    /// `false`: leave the record and manifest (for the desktop's offline copy) out.
    pub record: Option<bool>,
    /// `false`: leave the first screen out (the desktop's offline copy and revalidation ask
    /// for the record alone, so no rows are listed and no thumbnails read).
    pub screen: Option<bool>,
}

#[utoipa::path(get, path = "/v1/patients", tag = "patients", params(FindQuery),
    security(("bearer" = [])),
    responses((status = 200, body = FoundPatient),
        (status = 304, description = "the manifest is unchanged since the ETag sent (still audited)"),
        (status = 403, body = chartdesk_api::ErrorBody, description = "role, or reason_required"),
        (status = 404, body = chartdesk_api::ErrorBody)))]
pub async fn find(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<FindQuery>,
) -> ApiResult<Response> {
    user.require(Action::ViewRecords)?;
    let also_mrn = PatientQuery::also_an_mrn(&query.q, &state.mrn_format);
    let query_record = query.record.unwrap_or(true);
    let query_screen = query.screen.unwrap_or(true);
    let query = PatientQuery::parse(&query.q, &state.mrn_format)?;
    let reason = access::stated_reason(&headers)?;
    let record = match (&query, also_mrn) {
        (PatientQuery::Nhs(nhs), Some(mrn)) => {
            find_either(&state, &user, reason.as_ref(), nhs, mrn).await?
        }
        _ => find_exactly(&state, &query).await?,
    };
    // A refusal says the patient is here and restricted: it is audited before it is answered.
    access::admit(&state, &user, &record.patient, reason.as_ref()).await?;
    let mrn = record.patient.mrn.clone();
    let action = access::found_action(&record.patient, reason.as_ref());
    let version = version_of(&record);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| sent == version);
    if unchanged {
        let detail = Detail {
            reason: reason.as_ref(),
            ..Default::default()
        };
        access::audit(&state, &user, action, &mrn, detail).await?;
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let mut summary =
        PatientSummary::from_record(&record.patient, &record.manifest, state.now().date());
    // The first screen's rows are known from the manifest, so the one event can say how many
    // were listed while their thumbnails are still being read.
    let first = summary
        .tiles
        .iter()
        .filter(|_| query_screen)
        .find(|t| t.has_documents)
        .map(|t| {
            let rows = rows_for(&record.manifest, t.category, documents::permissions(&user));
            let page = Page {
                after: None,
                limit: Some(FIRST_SCREEN),
            };
            (t.category, cut(rows, |r| r.id.as_str(), &page))
        });
    let first = match first {
        Some((category, cut)) => Some((category, cut?)),
        None => None,
    };
    let detail = Detail {
        reason: reason.as_ref(),
        count: first
            .as_ref()
            .and_then(|(_, (rows, _))| u32::try_from(rows.len()).ok()),
        ..Default::default()
    };
    let screen = async {
        let Some((category, (rows, next))) = first else {
            return Ok(None);
        };
        let rows = document_page::listed(&state, &mrn, &record.manifest, rows).await?;
        Ok(Some(FirstScreen {
            category,
            rows,
            next,
        }))
    };
    // Written before the answer leaves, while the thumbnails are read.
    let ((), first_screen) =
        tokio::try_join!(access::audit(&state, &user, action, &mrn, detail), screen)?;
    summary.can_upload = user.may(Action::Upload);
    summary.can_view_history = user.may(Action::ReadAudit);
    summary.can_export = user.may(Action::Export);
    summary.can_export_record = user.may(Action::BulkExport);
    let (patient, manifest) = if query_record {
        // Detached documents (misfiled, perhaps naming another patient) never leave the server.
        let mut manifest = record.manifest;
        manifest
            .documents
            .retain(|d| d.status == chartdesk_domain::DocumentStatus::Attached);
        (Some(record.patient), Some(manifest))
    } else {
        (None, None)
    };
    Ok(Json(FoundPatient {
        summary,
        patient,
        manifest,
        first_screen,
        version,
    })
    .into_response())
}

/// The record's version for revalidation (the one `record_version` polls).
fn version_of(record: &chartdesk_records::PatientRecord) -> String {
    super::record_version::record_version(record.manifest_etag.as_deref())
}

/// The record `query` names. A stale NHS lookup (the number moved to another record) must not
/// open the wrong patient: it counts as not found.
pub(crate) async fn find_exactly(
    state: &AppState,
    query: &PatientQuery,
) -> ApiResult<chartdesk_records::PatientRecord> {
    let record = find_patient(&*state.store, query).await?;
    if let PatientQuery::Nhs(nhs) = query {
        if &record.patient.nhs_number != nhs {
            return Err(ApiError::NotFound(format!(
                "No patient found with NHS number {}",
                nhs.display_form()
            )));
        }
    }
    Ok(record)
}

/// Ten digits that are a valid NHS number and a valid MRN: both looked up; two different
/// patients is ambiguous (neither is shown, the user chooses), one found is the one meant.
async fn find_either(
    state: &AppState,
    user: &VerifiedUser,
    reason: Option<&StatedReason>,
    nhs: &chartdesk_domain::NhsNumber,
    mrn: chartdesk_domain::Mrn,
) -> ApiResult<chartdesk_records::PatientRecord> {
    let found = |result: ApiResult<chartdesk_records::PatientRecord>| match result {
        Ok(record) => Ok(Some(record)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    };
    let (as_nhs, as_mrn) = (
        PatientQuery::Nhs(nhs.clone()),
        PatientQuery::Mrn(mrn.clone()),
    );
    let (by_nhs, by_mrn) = tokio::join!(find_exactly(state, &as_nhs), find_exactly(state, &as_mrn));
    let (by_nhs, by_mrn) = (found(by_nhs)?, found(by_mrn)?);
    let chosen =
        chartdesk_domain::choose_reading(nhs, &mrn, by_nhs.as_ref(), by_mrn.as_ref(), |a, b| {
            a.patient.mrn == b.patient.mrn
        });
    let chosen = match chosen {
        Ok(chosen) => chosen.cloned(),
        Err(ambiguous) => {
            // The answer says both patients are registered here: each record keeps a trace.
            let named = by_nhs.iter().chain(by_mrn.iter());
            for record in named {
                audit_named(state, user, &record.patient, reason).await?;
            }
            return Err(ambiguous.into());
        }
    };
    // Neither: the words staff know for ten digits (the NHS number is the usual reading).
    chosen.ok_or_else(|| {
        ApiError::NotFound(format!(
            "No patient found with NHS number {}",
            nhs.display_form()
        ))
    })
}

/// Audits an answer that names `patient` without showing it: as a find (or break-glass), or,
/// for a restricted record asked for without a reason, as `admit` audits its refusal.
async fn audit_named(
    state: &AppState,
    user: &VerifiedUser,
    patient: &Patient,
    reason: Option<&StatedReason>,
) -> ApiResult<()> {
    match access::admit(state, user, patient, reason).await {
        Ok(()) => {
            let action = access::found_action(patient, reason);
            let detail = Detail {
                reason,
                ..Default::default()
            };
            access::audit(state, user, action, &patient.mrn, detail).await
        }
        // Refused for want of a reason: `admit` wrote "asked for a restricted record".
        Err(ApiError::BreakGlass(BreakGlassError::ReasonRequired)) => Ok(()),
        Err(e) => Err(e),
    }
}
