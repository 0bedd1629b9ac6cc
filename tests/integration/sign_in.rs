//! Password sign-in against the local Cognito: roles from groups, errors in plain words.

use chartdesk::auth::AuthError;
use chartdesk::domain::Role;
use chartdesk::services::system_clock;
use chartdesk::{AppError, ErrorCode, Services, UiError};

use crate::local_cloud::{cloud, dead_endpoint};

fn password_of(username: &str) -> String {
    let c = cloud();
    c.report
        .users
        .iter()
        .find(|u| u.username == username)
        .unwrap()
        .password
        .clone()
}

#[tokio::test]
async fn each_demo_user_signs_in_with_the_role_of_their_group() {
    let c = cloud();
    for user in &c.report.users {
        let services = c.services().await;
        let signed_in = services
            .sign_in(&user.username, &user.password)
            .await
            .unwrap();
        assert_eq!(signed_in.username, user.username);
        let expected: Vec<Role> = user.role.into_iter().collect();
        assert_eq!(signed_in.roles, expected, "{}", user.username);
        assert!(services.current_user().await.is_some());
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_message() {
    let services = cloud().services().await;
    let wrong = services
        .sign_in("dr.okafor", "Not-The-Password-1!")
        .await
        .unwrap_err();
    let unknown = services
        .sign_in("no.such.user", "Whatever-Pass-1!")
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, AppError::Auth(AuthError::WrongCredentials)),
        "{wrong:?}"
    );
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(UiError::from(wrong).code, ErrorCode::WrongCredentials);
    assert!(
        services.current_user().await.is_none(),
        "no session after a failure"
    );
}

#[tokio::test]
async fn empty_credentials_are_refused_before_calling_cognito() {
    let services = cloud().services().await;
    let err = services.sign_in("  ", "").await.unwrap_err();
    assert_eq!(
        UiError::from(err).message,
        "Enter your user name and password"
    );
}

#[tokio::test]
async fn an_unreachable_cloud_says_so_in_plain_words() {
    let mut profile = cloud().profile();
    profile.endpoint = Some(dead_endpoint());
    let services = Services::new(profile, system_clock()).await;
    let err = services
        .sign_in("dr.okafor", &password_of("dr.okafor"))
        .await
        .unwrap_err();
    let ui = UiError::from(err);
    assert_eq!(ui.code, ErrorCode::Unreachable);
    assert!(
        ui.message.contains("Cannot reach the sign-in service"),
        "{}",
        ui.message
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let services = cloud().signed_in("dr.okafor").await;
    services.sign_out().await;
    assert!(services.current_user().await.is_none());
    let err = services.find_patient("943 476 5919").await.unwrap_err();
    assert_eq!(UiError::from(err).code, ErrorCode::NotSignedIn);
}
