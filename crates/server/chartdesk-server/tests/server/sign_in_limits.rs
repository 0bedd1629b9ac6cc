//! The browser's sign-in relay cannot be sprayed (issue 22 item 8) and answers bad input in
//! staff words (item 9). The limits are the production ones; each test that trips one has a
//! server of its own, as every request here comes from 127.0.0.1.

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::harness::{answer, api, password_of, start_server, Api, Server};
use crate::revocation::staff_member;

fn own_server(slot: &'static OnceLock<(Server, String)>) -> Api {
    let base = slot.get_or_init(|| start_server(&[])).1.clone();
    Api {
        http: reqwest::Client::new(),
        base,
    }
}

async fn post(api: &Api, path: &str, body: &Value) -> (u16, Value, Option<u64>) {
    let r = api
        .http
        .post(api.url(path))
        .json(body)
        .send()
        .await
        .unwrap();
    let retry_after = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let (status, body) = answer(r).await;
    (status, body, retry_after)
}

async fn sign_in(api: &Api, username: &str, password: &str) -> (u16, Value, Option<u64>) {
    post(
        api,
        "/v1/session",
        &json!({"username": username, "password": password}),
    )
    .await
}

#[tokio::test]
async fn ten_wrong_passwords_hold_the_user_name_with_a_429_saying_how_long_to_wait() {
    static SERVER: OnceLock<(Server, String)> = OnceLock::new();
    let server = own_server(&SERVER);
    let user = "limits.sprayed";
    staff_member(user, "clinician").await;
    for _ in 0..10 {
        let (status, body, _) = sign_in(&server, user, "Not-The-Password-1!").await;
        assert_eq!(status, 401, "{body}");
    }
    // The right password now waits too, however the name is typed.
    let (status, body, retry_after) =
        sign_in(&server, "Limits.Sprayed", "Test-Revocation-2026!").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
    assert_eq!(
        body["message"],
        "Too many sign-in attempts for this user. Try again in 15 minutes."
    );
    let wait = retry_after.expect("a Retry-After header");
    assert!((850..=900).contains(&wait), "{wait}");
    // Other staff at the same address sign in as usual.
    let (status, body, _) = sign_in(&server, "dr.okafor", &password_of("dr.okafor")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn successful_sign_ins_never_count_against_the_user_name() {
    static SERVER: OnceLock<(Server, String)> = OnceLock::new();
    let server = own_server(&SERVER);
    for _ in 0..12 {
        let (status, body, _) =
            sign_in(&server, "nurse.hughes", &password_of("nurse.hughes")).await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn one_address_trying_many_user_names_is_held_after_60_failures() {
    static SERVER: OnceLock<(Server, String)> = OnceLock::new();
    let server = own_server(&SERVER);
    for i in 0..60 {
        let (status, body, _) = sign_in(&server, &format!("sprayed.{i}"), "Summer-2026!").await;
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    let (status, body, retry_after) =
        sign_in(&server, "dr.okafor", &password_of("dr.okafor")).await;
    assert_eq!(status, 429, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Too many sign-in attempts from this network address."),
        "{body}"
    );
    assert!(retry_after.is_some());
}

#[tokio::test]
async fn a_refresh_naming_no_user_or_no_token_is_a_400_not_a_broken_configuration() {
    let api = api();
    for body in [
        json!({"username": "", "refresh_token": ""}),
        json!({"username": "", "refresh_token": "abc"}),
        json!({"username": "dr.okafor", "refresh_token": ""}),
    ] {
        let (status, answer, _) = post(&api, "/v1/session/refresh", &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["code"], "invalid_input");
        assert!(
            !answer["message"].as_str().unwrap().contains("settings"),
            "{answer}"
        );
    }
    // A refresh token the pool does not know: the session has ended, nothing is misconfigured.
    let (status, answer, _) = post(
        &api,
        "/v1/session/refresh",
        &json!({"username": "dr.okafor", "refresh_token": "not-a-refresh-token"}),
    )
    .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["code"], "unauthenticated");
}
