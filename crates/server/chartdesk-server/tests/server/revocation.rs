//! Sign-out, a disabled account and removal from a group take effect on tokens already issued
//! (issue 22 item 7). The server here reuses the pool's answer for 0 s
//! (`CHARTDESK_SESSION_CHECK_SECONDS=0`) so nothing waits; that an answer is never reused past
//! 60 s is proved by the cache's unit tests with an injected clock. Each test has a user of its
//! own: sign-out on the local cloud ends every session of the user.

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::harness::{answer, api, cloud, cognito, start_server, Api, Server};

const PASSWORD: &str = "Test-Revocation-2026!";

/// A server that asks the pool on every request.
fn checking_server() -> Api {
    static SERVER: OnceLock<(Server, String)> = OnceLock::new();
    let base = SERVER
        .get_or_init(|| start_server(&[("CHARTDESK_SESSION_CHECK_SECONDS", "0")]))
        .1
        .clone();
    Api {
        http: reqwest::Client::new(),
        base,
    }
}

/// A confirmed user of the local pool with a permanent password, in `group`.
pub async fn staff_member(username: &str, group: &str) {
    let pool = &cloud().report.user_pool_id;
    let idp = cognito().await;
    idp.admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(pool)
        .username(username)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(pool)
        .username(username)
        .group_name(group)
        .send()
        .await
        .unwrap();
}

/// Signs in through the server's relay: (access token, refresh token).
async fn sign_in(api: &Api, username: &str, password: &str) -> (String, String) {
    let r = api
        .http
        .post(api.url("/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(r).await;
    assert_eq!(status, 200, "{body}");
    let tokens = &body["tokens"];
    (
        tokens["access_token"].as_str().unwrap().to_string(),
        tokens["refresh_token"].as_str().unwrap().to_string(),
    )
}

const FIND: &str = "/v1/patients?q=9434765919";

fn refused_as_signed_out(status: u16, body: &Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "unauthenticated", "{body}");
}

#[tokio::test]
async fn after_sign_out_the_old_access_token_is_refused_on_every_server() {
    let user = "revoke.signout";
    staff_member(user, "clinician").await;
    let server = checking_server();
    let (access, refresh) = sign_in(&server, user, PASSWORD).await;
    let (status, body) = server.get(&access, FIND).await;
    assert_eq!(status, 200, "{body}");

    let r = server
        .http
        .post(server.url("/v1/session/sign-out"))
        .bearer_auth(&access)
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    let (status, body) = server.get(&access, FIND).await;
    refused_as_signed_out(status, &body);
    // Another server (another Lambda instance) learns it from the pool, not from a cache.
    let (status, body) = api().get(&access, FIND).await;
    refused_as_signed_out(status, &body);
}

#[tokio::test]
async fn a_disabled_accounts_access_token_is_refused() {
    let user = "revoke.disabled";
    staff_member(user, "clinician").await;
    let server = checking_server();
    let (access, _) = sign_in(&server, user, PASSWORD).await;
    let (status, body) = server.get(&access, FIND).await;
    assert_eq!(status, 200, "{body}");

    cognito()
        .await
        .admin_disable_user()
        .user_pool_id(&cloud().report.user_pool_id)
        .username(user)
        .send()
        .await
        .unwrap();

    let (status, body) = server.get(&access, FIND).await;
    refused_as_signed_out(status, &body);
}

#[tokio::test]
async fn a_token_naming_a_group_its_user_has_left_is_refused() {
    let user = "revoke.demoted";
    staff_member(user, "records_admin").await;
    let server = checking_server();
    let (access, _) = sign_in(&server, user, PASSWORD).await;
    let history = "/v1/patients/10000001/audit";
    let (status, body) = server.get(&access, history).await;
    assert_eq!(status, 200, "{body}");

    cognito()
        .await
        .admin_remove_user_from_group()
        .user_pool_id(&cloud().report.user_pool_id)
        .username(user)
        .group_name("records_admin")
        .send()
        .await
        .unwrap();

    let (status, body) = server.get(&access, history).await;
    refused_as_signed_out(status, &body);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("roles have changed"),
        "{body}"
    );
}
