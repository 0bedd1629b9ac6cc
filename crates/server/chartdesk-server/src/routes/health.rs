//! `GET /v1/health`: no token; for load balancers, the sandbox and the tests' start-up wait.

use axum::Json;
use chartdesk_api::Health;

#[utoipa::path(get, path = "/v1/health", tag = "health",
    responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
