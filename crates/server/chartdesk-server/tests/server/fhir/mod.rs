//! The FHIR R4 read API (`/fhir/R4/`): the same tokens, rules and audit as `/v1`, answered as
//! FHIR resources; and every kind of answer validated by a FHIR library no one here wrote.

mod access;
mod create;
mod create_two_step;
mod export;
mod export_since;
mod reads;
mod real_client;
mod settings;
mod subscriptions;
mod validation;

use axum::body::Body;
use axum::http::Request;
use serde_json::Value;
use tower::ServiceExt;

use crate::in_process::Local;

pub const NHS: &str = "https://fhir.nhs.uk/Id/nhs-number";
/// Amara Whitfield, a demo patient with seven documents.
pub const AMARA: (&str, &str) = ("10000001", "9434765919");
/// Siobhan Gallagher, the demo patient whose record is restricted.
pub const SIOBHAN: (&str, &str) = ("10000007", "9991860916");

/// One answer: status, content type, `Location`, and the body as JSON.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub location: Option<String>,
    pub body: Value,
}

/// GET `path` in-process, with a token (or none) and extra headers.
pub async fn fhir_get(
    api: &Local,
    token: Option<&str>,
    path: &str,
    headers: &[(&str, &str)],
) -> Answer {
    fhir_send(api, "GET", token, path, headers, Body::empty()).await
}

/// Any request in-process, with a token (or none), extra headers and a body.
pub async fn fhir_send(
    api: &Local,
    method: &str,
    token: Option<&str>,
    path: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = chartdesk_server::app(api.state.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (content_type, location) = (
        header("content-type").unwrap_or_default(),
        header("location"),
    );
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 8 << 20)
        .await
        .unwrap();
    Answer {
        status,
        content_type,
        location,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// The Spine code of an OperationOutcome's first issue (none when it has none).
pub fn spine_code(outcome: &Value) -> Option<&str> {
    assert_eq!(outcome["resourceType"], "OperationOutcome", "{outcome}");
    outcome["issue"][0]["details"]["coding"][0]["code"].as_str()
}

pub fn by_nhs(nhs: &str) -> String {
    format!("{NHS}%7C{nhs}")
}
