//! `GET /fhir/R4/DocumentReference?patient.identifier=…` (with `category`, `type`, `date`, `status`,
//! `_count`, `_offset`) and `GET /fhir/R4/DocumentReference/{id}`: a record's documents as
//! `/v1`'s list gives them, under the same rules, audited as the same list.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chartdesk_domain::{Action, AuditAction, DocumentEntry, Manifest};
use chartdesk_domain::{Category, Patient, StatedReason};
use chartdesk_fhir::bulk::{record_document, searchable};
use chartdesk_fhir::dates::DateRange;
use chartdesk_fhir::document_reference::{status, DocumentReference};
use chartdesk_fhir::ids::parse_document_id;
use chartdesk_fhir::search::Page;
use chartdesk_fhir::{codes, Bundle, BundleEntry};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::{base, on_document, on_patient, signed_in, Asked, Fhir, FhirError, FhirResult};
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::ApiError;
use crate::state::AppState;

/// A query value as it goes back into a link.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

/// The documents a search may show `user`: current ones, and replaced or detached ones for
/// those who may see removed documents (as `/v1` opens them); newest first.
fn visible<'m>(user: &VerifiedUser, manifest: &'m Manifest) -> Vec<&'m DocumentEntry> {
    searchable(manifest, user.may(Action::ReadRemovedDocuments))
}

pub(super) fn resource(patient: &Patient, entry: &DocumentEntry) -> Option<DocumentReference> {
    record_document(patient, entry)
}

pub async fn search(
    State(state): State<AppState>,
    Asked(user, headers, params): Asked,
) -> FhirResult<Fhir<Bundle>> {
    user.require(Action::ViewRecords).map_err(on_document)?;
    let token = params.get("patient.identifier").ok_or_else(|| {
        FhirError::invalid("Give patient.identifier=https://fhir.nhs.uk/Id/nhs-number|{NHS number}")
    })?;
    let query = super::patient::patient_query(&state, token)?;
    let category = match params.get("category") {
        Some(c) => Some(
            codes::category_from_token(c)
                .ok_or_else(|| FhirError::invalid("There is no such document category"))?,
        ),
        None => None,
    };
    // A SNOMED type names one category: both given must agree.
    let of_type = match params.get("type") {
        Some(t) => Some(
            codes::category_from_type_token(t)
                .ok_or_else(|| FhirError::invalid("There is no such document type here"))?,
        ),
        None => None,
    };
    let dates = DateRange::parse(params.all("date")).ok_or_else(|| {
        FhirError::invalid(
            "Give dates as date=ge2026-03-01 or date=le2026-03-31 (or an RFC 3339 time)",
        )
    })?;
    let statuses: Option<Vec<&str>> = params.get("status").map(|s| s.split(',').collect());
    let page = Page::parse(params.get("_count"), params.get("_offset"))
        .ok_or_else(|| FhirError::invalid("_count and _offset are whole numbers"))?;
    let base = base(&state, &headers);
    let link = |offset: usize| {
        let mut url = format!(
            "{base}/DocumentReference?patient.identifier={}",
            encode(token)
        );
        for name in ["category", "type", "date", "status"] {
            for value in params.all(name) {
                url.push_str(&format!("&{name}={}", encode(value)));
            }
        }
        format!("{url}&_count={}&_offset={offset}", page.count)
    };
    let record = match super::super::patients::find_exactly(&state, &query).await {
        Ok(record) => record,
        Err(ApiError::NotFound(_)) => {
            return Ok(Fhir(Bundle::searchset(0, vec![], page.links(0, link))))
        }
        Err(e) => return Err(on_patient(e)),
    };
    let reason = access::stated_reason(&headers).map_err(|e| on_patient(e.into()))?;
    access::admit(&state, &user, &record.patient, reason.as_ref())
        .await
        .map_err(on_patient)?;
    let matches: Vec<&DocumentEntry> = visible(&user, &record.manifest)
        .into_iter()
        .filter(|d| category.is_none_or(|c: Category| d.category == c))
        .filter(|d| of_type.is_none_or(|c: Category| d.category == c))
        .filter(|d| dates.contains(d.created))
        .filter(|d| {
            statuses
                .as_ref()
                .is_none_or(|s| status(d.status).is_some_and(|code| s.contains(&code)))
        })
        .collect();
    let total = matches.len();
    let shown = &matches[page.range(total)];
    let entries: Vec<BundleEntry> = shown
        .iter()
        .filter_map(|d| resource(&record.patient, d))
        .map(|r| BundleEntry::matched(format!("{base}/DocumentReference/{}", r.id), &r))
        .collect();
    let count = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    audit_list(&state, &user, &record.patient, reason.as_ref(), count, None).await?;
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    Ok(Fhir(Bundle::searchset(
        total,
        entries,
        page.links(matches.len(), link),
    )))
}

/// Audited as `/v1`'s list of the same rows (`List`, with how many were shown).
async fn audit_list(
    state: &AppState,
    user: &VerifiedUser,
    patient: &Patient,
    reason: Option<&StatedReason>,
    count: u32,
    doc_id: Option<uuid::Uuid>,
) -> FhirResult<()> {
    let detail = Detail {
        doc_id,
        reason,
        count: Some(count),
        ..Default::default()
    };
    access::audit(state, user, AuditAction::List, &patient.mrn, detail)
        .await
        .map_err(on_document)
}

pub async fn read(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> FhirResult<Fhir<DocumentReference>> {
    let user = signed_in(user)?;
    user.require(Action::ViewRecords).map_err(on_document)?;
    let (reached, manifest, doc_id) = reach_document(&state, &user, &headers, &id).await?;
    let entry =
        super::super::document_open::entry_for(&user, &manifest, doc_id).map_err(on_document)?;
    let resource = resource(&reached.patient, entry).ok_or_else(no_document)?;
    audit_list(
        &state,
        &user,
        &reached.patient,
        reached.reason.as_ref(),
        1,
        Some(doc_id),
    )
    .await?;
    Ok(Fhir(resource))
}

fn no_document() -> FhirError {
    on_document(super::super::document_open::no_such_document())
}

/// The record a document id names, reached under the break-glass rule, and its manifest.
pub async fn reach_document(
    state: &AppState,
    user: &VerifiedUser,
    headers: &HeaderMap,
    id: &str,
) -> FhirResult<(access::Reached, Manifest, uuid::Uuid)> {
    let (mrn, doc_id) = parse_document_id(id).ok_or_else(no_document)?;
    let mrn = access::parse_mrn(state, mrn).map_err(|_| no_document())?;
    let (reached, manifest, _) = access::reach_with_manifest(state, user, mrn, headers)
        .await
        .map_err(on_document)?;
    Ok((reached, manifest, doc_id))
}
