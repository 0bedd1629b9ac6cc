//! Production-style S3 credentials: a profile naming a Cognito identity pool gets temporary
//! credentials for the signed-in user (GetId + GetCredentialsForIdentity) from the local cloud.

use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cognitoidentity::types::CognitoIdentityProvider;
use chartdesk::services::system_clock;
use chartdesk::Services;

use crate::local_cloud::cloud;

async fn identity_pool_id() -> String {
    let c = cloud();
    let services = c.services().await;
    let conf = aws_sdk_cognitoidentity::config::Builder::from(
        &aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(services.profile.region.clone()))
            .endpoint_url(&c.endpoint)
            .credentials_provider(aws_credential_types::Credentials::for_tests())
            .load()
            .await,
    )
    .build();
    let client = aws_sdk_cognitoidentity::Client::from_conf(conf);
    let provider = CognitoIdentityProvider::builder()
        .provider_name(format!(
            "cognito-idp.{}.amazonaws.com/{}",
            services.profile.region, c.report.user_pool_id
        ))
        .client_id(&c.report.client_id)
        .build();
    client
        .create_identity_pool()
        .identity_pool_name(format!("chartdesk_{}", uuid::Uuid::now_v7().simple()))
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(provider)
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string()
}

#[tokio::test]
async fn records_are_read_with_the_signed_in_users_identity_pool_credentials() {
    let mut profile = cloud().profile();
    profile.identity_pool_id = Some(identity_pool_id().await);
    let services = Services::new(profile, system_clock()).await;
    let provider = services
        .clients
        .identity_pool
        .clone()
        .expect("identity pool provider");

    let before = provider.provide_credentials().await;
    assert!(before.is_err(), "no credentials before anyone signs in");

    services
        .sign_in("dr.okafor", "Demo-Clinician-2026!")
        .await
        .unwrap();
    let summary = services.find_patient("943 476 5919").await.unwrap();
    assert_eq!(summary.banner.mrn, "10000001");
    assert!(
        provider.identity_id().await.is_some(),
        "S3 went through the identity pool"
    );
    let creds = provider.provide_credentials().await.unwrap();
    assert!(creds.session_token().is_some(), "temporary credentials");
    assert!(creds.expiry().is_some());

    services.sign_out().await.unwrap();
    assert!(
        provider.provide_credentials().await.is_err(),
        "gone with the session"
    );
}
