//! `GET /fhir/R4/AuditEvent?patient={mrn}` (records admins): a record's access history as
//! AuditEvents, under `/v1`'s history rules (role, break-glass) and audited as reading it.

use axum::extract::State;
use chartdesk_domain::Action;
use chartdesk_fhir::{Bundle, BundleEntry, BundleLink};
use chartdesk_records::audit::{self, Cursor};

use super::{base, on_patient, Asked, Fhir, FhirError, FhirResult};
use crate::access;
use crate::state::AppState;

pub async fn search(
    State(state): State<AppState>,
    Asked(user, headers, params): Asked,
) -> FhirResult<Fhir<Bundle>> {
    user.require(Action::ReadAudit).map_err(on_patient)?;
    let patient = params
        .get("patient")
        .ok_or_else(|| FhirError::invalid("Give patient=Patient/{MRN}"))?;
    let mrn = patient.strip_prefix("Patient/").unwrap_or(patient);
    let mrn = access::parse_mrn(&state, mrn).map_err(on_patient)?;
    let count = match params.get("_count") {
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| FhirError::invalid("_count is a whole number"))?,
        None => 200,
    }
    .clamp(1, 1000);
    let after = match params.get("_after") {
        Some(text) => Some(Cursor::parse(text).ok_or_else(|| {
            FhirError::invalid("The page asked for is not one this server handed out")
        })?),
        None => None,
    };
    let reached = crate::routes::audit::reach_history(&state, &user, mrn, &headers)
        .await
        .map_err(on_patient)?;
    let page = audit::history(&*state.audit, &reached.mrn, count, after.as_ref())
        .await
        .map_err(|e| on_patient(e.into()))?;
    let base = base(&state, &headers);
    let url = |after: Option<String>| {
        let mut url = format!(
            "{base}/AuditEvent?patient={}&_count={count}",
            reached.mrn.as_str()
        );
        if let Some(after) = after {
            url.push_str(&format!(
                "&_after={}",
                super::document_reference::encode(&after)
            ));
        }
        url
    };
    let mut link = vec![BundleLink {
        relation: "self".into(),
        url: url(after.map(|c| c.as_text())),
    }];
    if let Some(next) = page.next {
        link.push(BundleLink {
            relation: "next".into(),
            url: url(Some(next.as_text())),
        });
    }
    let entry: Vec<BundleEntry> = page
        .events
        .iter()
        .map(|e| {
            let resource = chartdesk_fhir::audit_event::audit_event(e);
            BundleEntry::matched(format!("{base}/AuditEvent/{}", e.event_id), &resource)
        })
        .collect();
    let shown = u32::try_from(entry.len()).unwrap_or(u32::MAX);
    Ok(Fhir(Bundle {
        total: None,
        ..Bundle::searchset(shown, entry, link)
    }))
}
