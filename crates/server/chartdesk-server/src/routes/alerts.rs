//! The records admins' trust-wide list of documents the virus scanner blocked (issue 24): the
//! newest alerts, each with the file name and category from its patient's record.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::Json;
use chartdesk_api::{Alert, AlertList};
use chartdesk_domain::{keys, Action, AuditEvent, DocumentEntry, Manifest, Mrn, Patient};
use chartdesk_records::audit::{self, NEWEST_ALERTS};
use futures_util::{StreamExt, TryStreamExt};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::access;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How many patients' records are read at once.
const READS_AT_ONCE: usize = 8;

#[utoipa::path(get, path = "/v1/alerts", tag = "audit", operation_id = "alerts",
    security(("bearer" = [])),
    responses((status = 200, body = AlertList),
        (status = 403, body = chartdesk_api::ErrorBody, description = "records admins only")))]
pub async fn alerts(
    State(state): State<AppState>,
    user: VerifiedUser,
) -> ApiResult<Json<AlertList>> {
    user.require(Action::ReadAudit)?;
    let events = audit::newest_alerts(&*state.audit, NEWEST_ALERTS).await?;
    // One read of each patient's record and manifest, however many of their documents were blocked.
    let patients: HashSet<Mrn> = events
        .iter()
        .filter_map(|e| Mrn::from_stored(&e.mrn).ok())
        .collect();
    let seen: HashMap<String, Seen> = futures_util::stream::iter(patients)
        .map(|mrn| {
            let state = state.clone();
            async move { Ok::<_, ApiError>((mrn.to_string(), seen(&state, &mrn).await?)) }
        })
        .buffer_unordered(READS_AT_ONCE)
        .try_collect()
        .await?;
    let alerts = events
        .into_iter()
        .map(|e| {
            let shown = seen.get(&e.mrn);
            let restricted = matches!(shown, Some(Seen::Restricted));
            let entry = match shown {
                Some(Seen::Listed(m)) => e.doc_id.and_then(|id| m.entries().find(|d| d.id == id)),
                _ => None,
            };
            alert(e, entry, restricted)
        })
        .collect();
    Ok(Json(AlertList { alerts }))
}

/// What the list may say of one patient's documents.
enum Seen {
    /// A restricted record: its documents' names and categories are shown only to someone who
    /// opens it with a reason (break-glass), never in a trust-wide list.
    Restricted,
    Listed(Manifest),
}

async fn seen(state: &AppState, mrn: &Mrn) -> ApiResult<Seen> {
    let patient = state.store.get_json::<Patient>(&keys::patient(mrn)).await?;
    if patient.is_some_and(|p| p.value.flags.restricted) {
        return Ok(Seen::Restricted);
    }
    let (manifest, _) = access::manifest(state, mrn).await?;
    Ok(Seen::Listed(manifest))
}

/// One row: what the event knows, and what the patient's record still says of the document.
fn alert(e: AuditEvent, entry: Option<&DocumentEntry>, restricted: bool) -> Alert {
    let shown_at = OffsetDateTime::parse(&e.at, &Rfc3339)
        .ok()
        .and_then(audit::uk_time)
        .unwrap_or_else(|| e.at.clone());
    Alert {
        shown_at,
        at: e.at,
        mrn: e.mrn,
        category: entry.map(|d| d.category),
        category_label: entry.map(|d| d.category.label().to_string()),
        doc_id: e.doc_id,
        file_name: entry.map(|d| d.file_name.clone()),
        what: e.action.label().to_string(),
        restricted,
    }
}
