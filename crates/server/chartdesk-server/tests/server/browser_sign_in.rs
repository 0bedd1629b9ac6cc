//! The browser's sign-in, relayed by the server to the user pool: the window's steps and
//! words, tokens handed to the page, nothing kept on the server between the calls.

use serde_json::{json, Value};

use crate::harness::{answer, api, password_of};

async fn post(path: &str, body: &Value) -> (u16, Value) {
    let api = api();
    let r = api
        .http
        .post(api.url(path))
        .json(body)
        .send()
        .await
        .unwrap();
    answer(r).await
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_the_windows_words() {
    let (status, body) = post(
        "/v1/session",
        &json!({"username": "dr.okafor", "password": "Not-The-Password-1!"}),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "wrong_credentials");
    assert_eq!(body["message"], "The user name or password is incorrect");
}

#[tokio::test]
async fn a_clinician_signs_in_and_the_access_token_opens_records() {
    let (status, body) = post(
        "/v1/session",
        &json!({"username": "dr.okafor", "password": password_of("dr.okafor")}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["kind"], "signed_in");
    assert_eq!(body["result"]["user"]["roles_label"], "Clinician");
    let access = body["tokens"]["access_token"].as_str().unwrap();
    assert!(body["tokens"]["expires_in_seconds"].as_u64().unwrap() > 0);
    let (status, found) = api().get(access, "/v1/patients?q=9434765919").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["banner"]["mrn"], "10000001");

    let refresh = body["tokens"]["refresh_token"].as_str().unwrap();
    let (status, again) = post(
        "/v1/session/refresh",
        &json!({"username": "dr.okafor", "refresh_token": refresh}),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert!(again["tokens"]["access_token"].as_str().is_some());
}

#[tokio::test]
async fn a_temporary_password_asks_for_a_new_one_with_the_pools_rules() {
    let starter = "new.starter";
    let (status, body) = post(
        "/v1/session",
        &json!({"username": starter, "password": password_of(starter)}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["kind"], "new_password_required");
    assert_eq!(body["result"]["rules"][0], "At least 12 characters");
    assert!(
        body["tokens"].is_null(),
        "no token before the challenge is answered"
    );
    let challenge = body["challenge"].clone();
    assert!(challenge["session"].as_str().is_some_and(|s| !s.is_empty()));

    // Mismatched and weak answers are refused; the challenge stays usable (not answered here:
    // other tests sign in as this user with the temporary password).
    let (status, body) = post(
        "/v1/session/new-password",
        &json!({"challenge": challenge, "new_password": "Chosen-Pass-2026!", "confirm": "other"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["message"], "The two passwords do not match");
}

#[tokio::test]
async fn a_forged_challenge_session_is_refused_as_expired() {
    let (status, body) = post(
        "/v1/session/totp",
        &json!({"challenge": {"username": "dr.mfa", "session": "forged"}, "code": "123456"}),
    )
    .await;
    assert!(status == 401 || status == 400, "{status} {body}");
    assert_ne!(body["code"], "internal", "{body}");
}

#[tokio::test]
async fn the_page_gets_its_settings_without_a_token() {
    let api = api();
    let r = api
        .http
        .get(api.url("/v1/client-config"))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sandbox"], true);
    let reasons = body["break_glass_reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 4);
    assert!(body["idle_lock_seconds"].as_u64().unwrap() > 0);
}
