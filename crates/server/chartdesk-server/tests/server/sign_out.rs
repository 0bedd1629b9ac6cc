//! Sign-out records a verified access token as ended on this server at once, and ignores a
//! bearer token that does not verify (the refresh token is still revoked). The server
//! here keeps the pool's answers for the default 60 s, so only its own record of the sign-out
//! can refuse a token it has just seen in use.

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::harness::{answer, start_server, Api, Server};
use crate::revocation::staff_member;

const PASSWORD: &str = "Test-Revocation-2026!";
const FIND: &str = "/v1/patients?q=9434765919";

fn caching_server() -> Api {
    static SERVER: OnceLock<(Server, String)> = OnceLock::new();
    let base = SERVER.get_or_init(|| start_server(&[])).1.clone();
    Api {
        http: reqwest::Client::new(),
        base,
    }
}

async fn post(api: &Api, path: &str, bearer: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = api.http.post(api.url(path)).json(body);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    answer(request.send().await.unwrap()).await
}

/// (access token, refresh token) from the server's relay.
async fn sign_in(api: &Api, username: &str) -> (String, String) {
    let body = json!({"username": username, "password": PASSWORD});
    let (status, body) = post(api, "/v1/session", None, &body).await;
    assert_eq!(status, 200, "{body}");
    let tokens = &body["tokens"];
    (
        tokens["access_token"].as_str().unwrap().to_string(),
        tokens["refresh_token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_verified_token_signed_out_is_refused_here_at_once_despite_a_cached_check() {
    let user = "signout.cached";
    staff_member(user, "clinician").await;
    let server = caching_server();
    let (access, refresh) = sign_in(&server, user).await;
    // The pool's "current" answer is now kept for a minute.
    let (status, body) = server.get(&access, FIND).await;
    assert_eq!(status, 200, "{body}");

    let body = json!({"refresh_token": refresh});
    let (status, _) = post(&server, "/v1/session/sign-out", Some(&access), &body).await;
    assert_eq!(status, 204);

    let (status, body) = server.get(&access, FIND).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "unauthenticated", "{body}");
}

#[tokio::test]
async fn a_sign_out_whose_bearer_does_not_verify_still_answers_as_before() {
    let server = caching_server();
    // The refresh token is still handed to the pool; a made-up bearer is simply not recorded
    // (the unit test in revocation.rs proves nothing is stored for it).
    let body = json!({"refresh_token": "not-a-refresh-token"});
    let (status, body) = post(&server, "/v1/session/sign-out", Some("made-up"), &body).await;
    assert_eq!(status, 204, "{body}");
}
