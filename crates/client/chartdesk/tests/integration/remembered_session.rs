//! Staying signed in across restarts: the refresh token in the keychain (kernel keyutils here,
//! run under `keyctl session -`), restored on start, removed at sign-out or when revoked.

use chartdesk::auth::{KeychainBackend, RefreshTokenVault};
use chartdesk::services::system_clock;
use chartdesk::{Services, SignInResult};

use crate::local_cloud::{cloud, holds_a_jwt};

/// A profile of its own per test, so parallel tests never share keychain entries.
fn profile_name() -> String {
    format!("test-{}", uuid::Uuid::now_v7())
}

async fn app(profile_name: &str) -> Services {
    cloud().remembering_app(profile_name).await
}

async fn sign_in(services: &Services, username: &str) {
    let user = cloud()
        .report
        .users
        .iter()
        .find(|u| u.username == username)
        .unwrap();
    let result = services
        .sign_in(&user.username, &user.password)
        .await
        .unwrap();
    assert!(matches!(result, SignInResult::SignedIn { .. }));
}

#[tokio::test]
async fn a_restart_opens_locked_for_the_last_user_until_their_password_is_given() {
    let name = profile_name();
    sign_in(&app(&name).await, "nurse.hughes").await;

    let restarted = app(&name).await;
    let user = restarted
        .session()
        .resume_session()
        .await
        .unwrap()
        .expect("the last user is remembered");
    assert_eq!(user.username, "nurse.hughes");
    assert!(
        user.locked,
        "a shared computer never reopens on someone's records"
    );
    assert!(restarted.patients().find("943 476 5919").await.is_err());
    restarted
        .session()
        .unlock(cloud().password("nurse.hughes"))
        .await
        .unwrap();
    restarted.patients().find("943 476 5919").await.unwrap();
}

#[tokio::test]
async fn after_sign_out_no_keychain_entry_remains_and_a_restart_shows_sign_in() {
    let name = profile_name();
    let services = app(&name).await;
    sign_in(&services, "dr.okafor").await;
    let vault = RefreshTokenVault::new(&name, &cloud().report.client_id, KeychainBackend::Keyutils);
    assert!(vault.last_session().await.unwrap().is_some());

    services.sign_out().await.unwrap();
    assert!(
        vault.last_session().await.unwrap().is_none(),
        "entry removed"
    );
    assert!(app(&name)
        .await
        .session()
        .resume_session()
        .await
        .unwrap()
        .is_none());
}

/// A staff member of this test alone, signed in to `services`: a global sign-out of a shared
/// demo user would end the sessions other tests are using (the server checks every token).
async fn sign_in_own_user(services: &Services, group: &str) -> String {
    let c = cloud();
    let username = format!("revoked.{}", uuid::Uuid::now_v7().simple());
    let password = "Test-Remembered-2026!";
    let idp = chartdesk::cloud::CloudClients::new(&c.profile())
        .await
        .cognito;
    idp.admin_create_user()
        .user_pool_id(&c.report.user_pool_id)
        .username(&username)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(&c.report.user_pool_id)
        .username(&username)
        .password(password)
        .permanent(true)
        .send()
        .await
        .unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(&c.report.user_pool_id)
        .username(&username)
        .group_name(group)
        .send()
        .await
        .unwrap();
    let result = services.sign_in(&username, password).await.unwrap();
    assert!(matches!(result, SignInResult::SignedIn { .. }));
    username
}

#[tokio::test]
async fn a_revoked_refresh_token_sends_the_user_to_sign_in_and_is_removed() {
    let c = cloud();
    let name = profile_name();
    let username = sign_in_own_user(&app(&name).await, "records_admin").await;
    // Revoke every token of the user on the pool (moto has no RevokeToken, ARCHITECTURE.md §7).
    chartdesk::cloud::CloudClients::new(&crate::local_cloud::cloud().profile())
        .await
        .cognito
        .admin_user_global_sign_out()
        .user_pool_id(&c.report.user_pool_id)
        .username(&username)
        .send()
        .await
        .unwrap();

    let restarted = app(&name).await;
    assert!(restarted
        .session()
        .resume_session()
        .await
        .unwrap()
        .is_none());
    let vault = RefreshTokenVault::new(&name, &cloud().report.client_id, KeychainBackend::Keyutils);
    assert!(
        vault.last_session().await.unwrap().is_none(),
        "revoked token forgotten"
    );
}

#[tokio::test]
async fn no_token_is_written_to_the_config_or_data_folders() {
    let c = cloud();
    let name = profile_name();
    let services = app(&name).await;
    sign_in(&services, "dr.okafor").await;
    services.patients().find("943 476 5919").await.unwrap();
    for dir in [&c.folders.config, &c.folders.data] {
        for entry in walk(dir) {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(!holds_a_jwt(&bytes), "a JWT in {}", entry.display());
        }
    }
    services.sign_out().await.unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// With no keychain reachable (no Secret Service on the session bus), sign-in says what to
/// install and keeps nothing: there is no plain-text fallback.
#[tokio::test]
async fn without_a_keychain_sign_in_is_refused_with_what_to_install() {
    // Only this test uses the platform store; point it at a bus that does not exist.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/chartdesk-test-bus",
    );
    let mut profile = cloud().profile();
    profile.name = profile_name();
    profile.keychain = KeychainBackend::Platform;
    let services = Services::new(profile, system_clock())
        .await
        .remembering_sessions();
    let err = services
        .sign_in("dr.okafor", cloud().password("dr.okafor"))
        .await
        .unwrap_err();
    let ui = chartdesk::UiError::from(err);
    assert_eq!(ui.code, chartdesk_api::ApiErrorCode::Config);
    assert!(ui.message.contains("gnome-keyring"), "{}", ui.message);
    assert!(
        services.session().current_user().await.is_none(),
        "not signed in without a keychain"
    );
}
