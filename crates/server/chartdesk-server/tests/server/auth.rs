//! Who may do what, over HTTP with real moto-issued tokens; every bad token gets 401. (moto
//! tokens live an hour, so expiry is proved in the verifier's unit tests with signed fixtures.)

use serde_json::json;

use crate::harness::{api, cloud, cognito, token, tokens, tokens_for_client};

#[tokio::test]
async fn health_and_the_openapi_document_need_no_token() {
    let api = api();
    let r = api.http.get(api.url("/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let doc: serde_json::Value = api
        .http
        .get(api.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/patients",
        "/v1/patients/{mrn}/documents",
        "/v1/uploads/complete",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn each_role_gets_exactly_its_actions_over_http() {
    let api = api();
    // (user, find, stamp, upload start, audit history, export)
    let table = [
        ("dr.okafor", 200, true, false, false, true),
        ("nurse.hughes", 200, false, true, false, false),
        // A clinical stamp is a clinician's: records admins are refused (issue 22 item 9).
        ("admin.byrne", 200, false, true, true, true),
        ("visitor.lee", 403, false, false, false, false),
    ];
    for (user, find, stamp, upload, audit, export) in table {
        let t = token(user).await;
        let (status, body) = api.get(&t, "/v1/patients?q=943%20476%205919").await;
        assert_eq!(status, find, "{user} find: {body}");
        // A stamp on a document that does not exist: 404 for who may stamp, 403 for the rest.
        let (status, body) = api
            .post(
                &t,
                "/v1/patients/10000001/documents/00000000-0000-7000-8000-000000000000/stamp",
                &json!({}),
            )
            .await;
        assert_eq!(
            status,
            if stamp { 404 } else { 403 },
            "{user} stamp: {body}"
        );
        // An upload that fails validation (empty file): 400 for who may upload, 403 for the rest.
        let (status, body) = api
            .post(
                &t,
                "/v1/uploads",
                &json!({
                    "doc_id": "00000000-0000-7000-8000-000000000001", "mrn": "10000005",
                    "category": "lab", "file_name": "a.pdf", "content_type": "application/pdf",
                    "size": 0, "sha256": "0".repeat(64)
                }),
            )
            .await;
        assert_eq!(
            status,
            if upload { 400 } else { 403 },
            "{user} upload: {body}"
        );
        let (status, _) = api.get(&t, "/v1/patients/10000001/audit").await;
        assert_eq!(status, if audit { 200 } else { 403 }, "{user} audit");
        // An export naming nothing: 404 for who may export, 403 for the rest.
        let (status, body) = api
            .post(&t, "/v1/patients/10000001/export", &json!({}))
            .await;
        assert_eq!(
            status,
            if export { 404 } else { 403 },
            "{user} export: {body}"
        );
    }
}

#[tokio::test]
async fn missing_forged_tampered_wrong_client_and_id_tokens_get_401() {
    let api = api();
    let path = "/v1/patients?q=943%20476%205919";
    let r = api.http.get(api.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 401, "no token");
    let (access, id) = tokens("dr.okafor").await;
    let (status, body) = api.get(&id, path).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthenticated")),
        "ID token"
    );
    // A flipped signature byte.
    let mut forged = access.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(api.get(&forged, path).await.0, 401, "forged signature");
    // Claims rewritten (another group) without the key: the signature no longer matches.
    let parts: Vec<&str> = access.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        parts[1].chars().rev().collect::<String>(),
        parts[2]
    );
    assert_eq!(api.get(&tampered, path).await.0, 401, "tampered claims");
    assert_eq!(api.get("not-a-jwt", path).await.0, 401, "garbage");
    // A token from another app client of the same pool.
    let other = cognito()
        .await
        .create_user_pool_client()
        .user_pool_id(&cloud().report.user_pool_id)
        .client_name("someone-elses-app")
        .send()
        .await
        .unwrap();
    let other_id = other
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_string();
    let (other_access, _) = tokens_for_client("dr.okafor", &other_id).await;
    assert_eq!(api.get(&other_access, path).await.0, 401, "wrong client");
    assert_eq!(
        api.get(&access, path).await.0,
        200,
        "the real token still works"
    );
}

#[tokio::test]
async fn a_malformed_body_gets_the_same_error_shape() {
    let api = api();
    let t = token("nurse.hughes").await;
    let r = api
        .http
        .post(api.url("/v1/uploads"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = crate::harness::answer(r).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "invalid_input");
    assert!(body["message"].as_str().unwrap().contains("not valid JSON"));
}
