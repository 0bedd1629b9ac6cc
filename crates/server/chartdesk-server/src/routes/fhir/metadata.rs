//! `GET /fhir/R4/metadata`: the CapabilityStatement (no token needed, as FHIR expects).

use axum::extract::State;

use super::Fhir;
use crate::state::AppState;

pub async fn metadata(State(state): State<AppState>) -> Fhir<serde_json::Value> {
    let date = state
        .now()
        .date()
        .format(&time::format_description::well_known::Iso8601::DATE)
        .unwrap_or_default();
    Fhir(chartdesk_fhir::capability::capability_statement(
        env!("CARGO_PKG_VERSION"),
        &date,
    ))
}
