//! `GET /fhir/R4/AuditEvent?patient={mrn}` or `?entity=DocumentReference/{id}` (records
//! admins): a record's (or one document's) access history as AuditEvents, under `/v1`'s
//! history rules (role, break-glass) and audited as reading it.

use axum::extract::State;
use chartdesk_domain::Action;
use chartdesk_fhir::ids::{document_id, parse_document_id};
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
    // A record's history, or one document's (`entity=DocumentReference/{id}`) within it.
    let (mrn, document) = match (params.get("patient"), params.get("entity")) {
        (Some(patient), None) => (patient.strip_prefix("Patient/").unwrap_or(patient), None),
        (None, Some(entity)) => {
            let id = entity.strip_prefix("DocumentReference/").unwrap_or(entity);
            let (mrn, doc) = parse_document_id(id).ok_or_else(|| {
                FhirError::invalid("Give entity=DocumentReference/{id}, the id as a search gave it")
            })?;
            (mrn, Some(doc))
        }
        _ => {
            return Err(FhirError::invalid(
                "Give patient=Patient/{MRN} or entity=DocumentReference/{id}",
            ))
        }
    };
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
        let asked = match document {
            Some(doc) => format!(
                "entity=DocumentReference/{}",
                document_id(reached.mrn.as_str(), doc)
            ),
            None => format!("patient={}", reached.mrn.as_str()),
        };
        let mut url = format!("{base}/AuditEvent?{asked}&_count={count}");
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
        // A page holds that document's events among `_count` of the record's: fewer, never
        // another document's.
        .filter(|e| document.is_none_or(|doc| e.is_about(doc)))
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
