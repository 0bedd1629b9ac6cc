//! Password sign-in against the local Cognito: roles from groups, errors in plain words.

use chartdesk::services::system_clock;
use chartdesk::{AppError, Services, SignInResult, UiError};
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::Role;
use chartdesk_sandbox::totp::fresh_code;
use chartdesk_signin::AuthError;

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
    for user in c
        .report
        .users
        .iter()
        .filter(|u| !u.must_change_password && u.totp_secret.is_none())
    {
        let services = c.services().await;
        let result = services
            .sign_in(&user.username, &user.password)
            .await
            .unwrap();
        let SignInResult::SignedIn { user: signed_in } = result else {
            panic!("{} should be signed in: {result:?}", user.username);
        };
        assert_eq!(signed_in.username, user.username);
        let expected: Vec<Role> = user.role.into_iter().collect();
        assert_eq!(signed_in.roles, expected, "{}", user.username);
        assert!(services.session().current_user().await.is_some());
    }
}

/// The admin-created `new.starter` must choose a password: the rules are shown, a weak one is
/// refused with the pool's reason and can be retried, and then the user is signed in.
#[tokio::test]
async fn first_sign_in_with_a_temporary_password_requires_a_new_one() {
    let c = cloud();
    let starter = c
        .report
        .users
        .iter()
        .find(|u| u.must_change_password)
        .unwrap();
    let services = c.services().await;
    let result = services
        .sign_in(&starter.username, &starter.password)
        .await
        .unwrap();
    let SignInResult::NewPasswordRequired { rules, .. } = result else {
        panic!("expected the new-password challenge: {result:?}");
    };
    assert_eq!(rules[0], "At least 12 characters");
    assert!(
        services.session().current_user().await.is_none(),
        "not signed in yet"
    );

    let differ = services
        .session()
        .complete_new_password("Chosen-Pass-2026!", "Chosen-Pass-2027!")
        .await;
    assert_eq!(
        UiError::from(differ.unwrap_err()).message,
        "The two passwords do not match"
    );

    let weak = UiError::from(
        services
            .session()
            .complete_new_password("short", "short")
            .await
            .unwrap_err(),
    );
    assert_eq!(weak.code, ApiErrorCode::InvalidInput);
    assert!(
        weak.message.to_lowercase().contains("password"),
        "{}",
        weak.message
    );

    let done = services
        .session()
        .complete_new_password("Chosen-Pass-2026!", "Chosen-Pass-2026!")
        .await
        .unwrap();
    let SignInResult::SignedIn { user } = done else {
        panic!("expected to be signed in: {done:?}");
    };
    assert_eq!(user.roles, vec![Role::Clinician]);

    // The new password now works directly; the temporary one no longer does.
    let again = c.services().await;
    let direct = again
        .sign_in(&starter.username, "Chosen-Pass-2026!")
        .await
        .unwrap();
    assert!(matches!(direct, SignInResult::SignedIn { .. }));
    let old = again
        .sign_in(&starter.username, &starter.password)
        .await
        .unwrap_err();
    assert_eq!(UiError::from(old).code, ApiErrorCode::WrongCredentials);
}

#[tokio::test]
async fn answering_a_challenge_that_was_never_asked_restarts_sign_in() {
    let services = cloud().services().await;
    let err = services
        .session()
        .complete_new_password("Chosen-Pass-2026!", "Chosen-Pass-2026!")
        .await
        .unwrap_err();
    let ui = UiError::from(err);
    assert_eq!(ui.code, ApiErrorCode::Unauthenticated);
    assert_eq!(
        ui.message,
        "Sign-in took too long and has expired. Please sign in again"
    );
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
    assert_eq!(UiError::from(wrong).code, ApiErrorCode::WrongCredentials);
    assert!(
        services.session().current_user().await.is_none(),
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
    assert_eq!(ui.code, ApiErrorCode::Unreachable);
    assert!(
        ui.message.contains("Cannot reach the sign-in service"),
        "{}",
        ui.message
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let services = cloud().signed_in("dr.okafor").await;
    services.sign_out().await.unwrap();
    assert!(services.session().current_user().await.is_none());
    let err = services.patients().find("943 476 5919").await.unwrap_err();
    assert_eq!(UiError::from(err).code, ApiErrorCode::Unauthenticated);
}

/// `dr.mfa` enrolled an authenticator at provisioning: after the password a code is needed;
/// a mistyped or wrong code can be retried, the right one signs in.
#[tokio::test]
async fn an_authenticator_user_needs_the_current_totp_code() {
    let c = cloud();
    let mfa = c
        .report
        .users
        .iter()
        .find(|u| u.totp_secret.is_some())
        .unwrap();
    let secret = mfa.totp_secret.clone().unwrap();
    let services = c.services().await;
    let first = services
        .sign_in(&mfa.username, &mfa.password)
        .await
        .unwrap();
    assert!(
        matches!(first, SignInResult::TotpRequired { .. }),
        "{first:?}"
    );
    assert!(services.session().current_user().await.is_none());

    let typo = UiError::from(
        services
            .session()
            .complete_totp("12a456")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        typo.message,
        "Enter the 6-digit code from your authenticator app"
    );
    let right = fresh_code(&secret).await.unwrap();
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let refused = UiError::from(services.session().complete_totp(&wrong).await.unwrap_err());
    assert_eq!(refused.code, ApiErrorCode::InvalidInput);
    assert!(
        refused.message.starts_with("That code is not right"),
        "{}",
        refused.message
    );

    // Pasted with a space, as authenticator apps often show it.
    let code = fresh_code(&secret).await.unwrap();
    let pasted = format!("{} {}", &code[..3], &code[3..]);
    let done = services.session().complete_totp(&pasted).await.unwrap();
    assert!(matches!(done, SignInResult::SignedIn { .. }), "{done:?}");
    services.patients().find("943 476 5919").await.unwrap();
}

#[tokio::test]
async fn a_disabled_account_is_told_to_contact_the_service_desk() {
    let c = cloud();
    let admin = c.services().await;
    let cognito = &chartdesk::cloud::CloudClients::new(&crate::local_cloud::cloud().profile())
        .await
        .cognito;
    let username = format!("leaver.{}", uuid::Uuid::now_v7().simple());
    cognito
        .admin_create_user()
        .user_pool_id(&c.report.user_pool_id)
        .username(&username)
        .temporary_password("Leaver-Pass-2026!")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    cognito
        .admin_disable_user()
        .user_pool_id(&c.report.user_pool_id)
        .username(&username)
        .send()
        .await
        .unwrap();
    let err = UiError::from(
        admin
            .sign_in(&username, "Leaver-Pass-2026!")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.message,
        "This account is disabled. Contact the service desk"
    );
}
