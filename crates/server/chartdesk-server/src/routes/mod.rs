//! One sub-router per resource; each route and its OpenAPI entry are registered together.

mod alerts;
mod audit;
mod changes;
mod document_history;
mod document_open;
mod document_page;
mod document_pages;
mod document_search;
mod documents;
mod export;
mod export_zip;
pub use export_zip::sweep_abandoned_exports;
pub mod fhir;
mod health;
mod multipart;
mod params;
mod patients;
mod record_version;
mod registry;
mod session;
mod upload_abort;
mod upload_complete;
mod upload_plan;
mod upload_start;
mod uploads;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::health))
        .routes(routes!(patients::find))
        .routes(routes!(registry::put_patient))
        .routes(routes!(registry::import))
        .routes(routes!(documents::list))
        .routes(routes!(record_version::version))
        .routes(routes!(document_history::history))
        .routes(routes!(document_open::open, changes::delete))
        .routes(routes!(export::export))
        .routes(routes!(export_zip::export_zip))
        .routes(routes!(session::client_config))
        .routes(routes!(session::sign_in))
        .routes(routes!(session::new_password))
        .routes(routes!(session::totp))
        .routes(routes!(session::mfa_setup))
        .routes(routes!(session::refresh))
        .routes(routes!(session::sign_out))
        .routes(routes!(changes::stamp))
        .routes(routes!(changes::detach))
        .routes(routes!(uploads::start))
        .routes(routes!(upload_start::start_many))
        .routes(routes!(upload_complete::complete))
        .routes(routes!(upload_abort::abort))
        .routes(routes!(audit::history))
        .routes(routes!(audit::offline_views))
        .routes(routes!(alerts::alerts))
}
