//! The same router behind the Lambda adapter, fed API Gateway (HTTP API, payload 2.0) events as
//! `lambda_http` decodes them, in-process with `oneshot`: paths, query strings, base64 bodies
//! and the error shape survive the adapter.

use base64::Engine;
use chartdesk_server::app;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::harness::token;
use crate::in_process::moto_state;

/// An HTTP API event on the `$default` stage, as API Gateway sends it.
fn event(
    method: &str,
    path: &str,
    query: &str,
    headers: Value,
    body: Option<(&[u8], bool)>,
) -> String {
    let (body, encoded) = match body {
        Some((bytes, true)) => (
            Value::from(base64::engine::general_purpose::STANDARD.encode(bytes)),
            true,
        ),
        Some((bytes, false)) => (
            Value::from(String::from_utf8_lossy(bytes).into_owned()),
            false,
        ),
        None => (Value::Null, false),
    };
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": headers, "isBase64Encoded": encoded, "body": body,
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example",
            "domainPrefix": "api", "requestId": "r", "routeKey": "$default", "stage": "$default",
            "time": "01/Dec/2026:10:00:00 +0000", "timeEpoch": 1_796_119_200_000_i64,
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1",
                      "sourceIp": "192.0.2.1", "userAgent": "test" }
        }
    })
    .to_string()
}

async fn send(event: String) -> (u16, Value) {
    let request = lambda_http::request::from_str(&event)
        .unwrap()
        .map(axum::body::Body::new);
    let response = app(moto_state().await).oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn health_answers_through_the_lambda_adapter() {
    let (status, body) = send(event("GET", "/v1/health", "", json!({}), None)).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn a_query_string_and_a_bearer_token_reach_the_handler_through_the_adapter() {
    let t = token("dr.okafor").await;
    let headers = json!({ "authorization": format!("Bearer {t}") });
    let (status, body) = send(event(
        "GET",
        "/v1/patients",
        "q=943%20476%205919",
        headers,
        None,
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["banner"]["mrn"], "10000001");
}

#[tokio::test]
async fn a_base64_body_is_decoded_and_a_bad_one_gets_the_error_shape() {
    let t = token("nurse.hughes").await;
    let headers =
        json!({ "authorization": format!("Bearer {t}"), "content-type": "application/json" });
    // Valid JSON, base64-encoded as API Gateway does for binary media: decoded, then validated.
    let upload = json!({
        "doc_id": "00000000-0000-7000-8000-0000000000aa", "mrn": "10000005", "category": "lab",
        "file_name": "a.pdf", "content_type": "application/pdf", "size": 0, "sha256": "0".repeat(64)
    })
    .to_string();
    let (status, body) = send(event(
        "POST",
        "/v1/uploads",
        "",
        headers.clone(),
        Some((upload.as_bytes(), true)),
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("empty"),
        "{body}"
    );
    let (status, body) = send(event(
        "POST",
        "/v1/uploads",
        "",
        headers,
        Some((b"{oops", false)),
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_input"))
    );
    let (status, body) = send(event("GET", "/v1/patients", "q=1", json!({}), None)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}
