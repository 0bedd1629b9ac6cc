//! A pool that requires MFA: a new user sets a password, then enrols an authenticator app
//! during sign-in (MFA_SETUP): secret and QR shown, a wrong first code retried, then signed in.

use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, MessageActionType, SoftwareTokenMfaConfigType, UserPoolMfaType,
};
use chartdesk::services::system_clock;
use chartdesk::{Services, SignInResult, UiError};
use chartdesk_api::ApiErrorCode;
use chartdesk_sandbox::totp::fresh_code;

use crate::local_cloud::cloud;

/// A fresh pool with MFA required, one app client and one admin-created user.
async fn mfa_required_app() -> Services {
    let c = cloud();
    let cognito = chartdesk::cloud::CloudClients::new(&crate::local_cloud::cloud().profile())
        .await
        .cognito
        .clone();
    let pool = cognito
        .create_user_pool()
        .pool_name(format!("mfa-required-{}", uuid::Uuid::now_v7().simple()))
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_string();
    cognito
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    let client = cognito
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("chartdesk-desktop")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap();
    cognito
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dr.new")
        .temporary_password("Temporary-Pass-2026!")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let mut profile = c.profile();
    profile.user_pool_id = pool_id;
    profile.client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_string();
    Services::new(profile, system_clock()).await
}

#[tokio::test]
async fn a_user_of_an_mfa_required_pool_enrols_an_authenticator_while_signing_in() {
    let services = mfa_required_app().await;
    let first = services
        .sign_in("dr.new", "Temporary-Pass-2026!")
        .await
        .unwrap();
    assert!(
        matches!(first, SignInResult::NewPasswordRequired { .. }),
        "{first:?}"
    );

    let setup = services
        .session()
        .complete_new_password("Chosen-Pass-2026!", "Chosen-Pass-2026!")
        .await
        .unwrap();
    let SignInResult::MfaSetupRequired { secret, qr_svg, .. } = setup else {
        panic!("expected authenticator enrolment: {setup:?}");
    };
    assert!(qr_svg.contains("<svg"), "a QR code to scan");
    assert!(
        services.session().current_user().await.is_none(),
        "not signed in before enrolment"
    );

    let right = fresh_code(&secret).await.unwrap();
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let refused = UiError::from(
        services
            .session()
            .complete_mfa_setup(&wrong)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        refused.code,
        ApiErrorCode::InvalidInput,
        "{}",
        refused.message
    );

    let done = services
        .session()
        .complete_mfa_setup(&fresh_code(&secret).await.unwrap())
        .await
        .unwrap();
    assert!(matches!(done, SignInResult::SignedIn { .. }), "{done:?}");
}
