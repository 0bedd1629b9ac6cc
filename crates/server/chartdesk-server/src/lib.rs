//! Chartdesk records server: the one authority for every rule and every write. HTTP routes
//! only; the rules come from `chartdesk-domain` and `chartdesk-records`. The same `app` runs on
//! AWS Lambda (`lambda_http`) and as a plain process (sandbox, tests, self-hosting).

mod access;
mod auth;
pub mod config;
pub mod config_fhir;
mod error;
mod extract;
mod fresh_cache;
mod json;
mod presign;
pub mod processing;
mod rate_limit;
mod revocation;
mod routes;
pub mod state;
pub mod subscriber_origins;
mod verify;
mod web;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use config::ServerConfig;
pub use routes::sweep_abandoned_exports;
pub use state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Chartdesk records server", description = "Every rule and every write of Chartdesk's clinical records. All routes but health and this document need a Cognito access token."),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI 3 document, generated from the route code.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = routes::router().split_for_parts();
    let mut doc = ApiDoc::openapi();
    doc.merge(api);
    document_common_refusals(&mut doc);
    doc
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    utoipa::openapi::ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

/// After the routes are merged in (a `Modify` runs before), the refusals every route shares:
/// one that needs a token refuses a missing or expired one (401), and one that takes input
/// refuses input it cannot read (400), each as an `ErrorBody`.
fn document_common_refusals(doc: &mut utoipa::openapi::OpenApi) {
    let unauthenticated = error_response("no token, or an expired or revoked one: sign in again");
    let invalid = error_response("invalid_input: the message says what is wrong");
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let takes_input = operation.request_body.is_some()
                || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let responses = &mut operation.responses.responses;
            if operation.security.is_some() {
                responses
                    .entry("401".into())
                    .or_insert_with(|| unauthenticated.clone());
            }
            if takes_input {
                responses
                    .entry("400".into())
                    .or_insert_with(|| invalid.clone());
            }
        }
    }
}

/// The one router factory: `main` and the tests both call it.
pub fn app(state: AppState) -> Router {
    let (router, _) = routes::router().split_for_parts();
    let doc = openapi();
    let router = router
        .route("/v1/openapi.json", get(move || async move { Json(doc) }))
        .merge(routes::fhir::router())
        .layer(middleware::from_fn(run_to_the_end))
        .layer(middleware::from_fn(log_and_no_store))
        // JSON answers gzipped for clients that accept it (a find with its manifest is ~10x
        // smaller); tower-http's defaults leave out small bodies and images.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true));
    let web = state.web.clone();
    web::serve_ui(router, &web)
        .layer(middleware::from_fn_with_state(state.clone(), web::guard))
        .with_state(state)
}

/// Every API request's handler runs to its end, as in a Lambda, even when its client goes
/// away (until the process itself stops): hyper drops a request's future when the connection
/// closes, and a complete dropped half-way left its ids marked as being completed
/// (`ABANDONED_AFTER`, two minutes), so the client's own retry (`chartdesk sync` after a
/// kill -9) was refused as busy until then. The cost: work nobody waits for any more (an
/// export's archive) is finished too, as a Lambda would.
async fn run_to_the_end(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) if e.is_panic() => {
            error::ApiError::Internal("a request's handler panicked").into_response()
        }
        // Cancelled: the runtime is shutting down.
        Err(_) => error::ApiError::Internal("a request's handler was stopped").into_response(),
    }
}

/// One log line per request, by route template (never the path: it holds MRNs), and
/// `Cache-Control: no-store` on every API answer (records must not linger in caches). The
/// UI's files, served after this layer, may be cached.
async fn log_and_no_store(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().clone();
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
