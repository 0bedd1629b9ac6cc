//! ID tokens from the local Cognito verified against its published JWKS (RS256, kid, iss, aud).

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use chartdesk_records::token::{cognito_issuer, http_key_source, TokenError, TokenVerifier};
use time::OffsetDateTime;

use crate::local_cloud::cloud;

async fn moto_id_token() -> String {
    let c = cloud();
    let services = c.services().await;
    let out = chartdesk::cloud::CloudClients::new(&crate::local_cloud::cloud().profile())
        .await
        .cognito
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(&services.profile.client_id)
        .auth_parameters("USERNAME", "dr.okafor")
        .auth_parameters("PASSWORD", cloud().password("dr.okafor"))
        .send()
        .await
        .unwrap();
    out.authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_string()
}

fn verifier(issuer: String, client_id: &str) -> TokenVerifier {
    let c = cloud();
    let keys = format!("{}/{}", c.endpoint, c.report.user_pool_id);
    TokenVerifier::new(
        issuer,
        client_id.into(),
        http_key_source(reqwest::Client::new(), keys),
    )
}

#[tokio::test]
async fn a_local_cognito_token_verifies_against_the_pools_jwks() {
    let c = cloud();
    let token = moto_id_token().await;
    let issuer = cognito_issuer(&c.profile().region, &c.report.user_pool_id);
    let claims = verifier(issuer, &c.report.client_id)
        .verify_id_token(&token, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(claims.groups, ["clinician"]);
}

#[tokio::test]
async fn the_same_token_is_refused_for_another_client_or_issuer() {
    let c = cloud();
    let token = moto_id_token().await;
    let right_issuer = cognito_issuer(&c.profile().region, &c.report.user_pool_id);
    let other_client = verifier(right_issuer, "some-other-client")
        .verify_id_token(&token, OffsetDateTime::now_utc())
        .await;
    assert_eq!(other_client.unwrap_err(), TokenError::Invalid);
    let other_region = verifier(
        cognito_issuer("eu-west-2", &c.report.user_pool_id),
        &c.report.client_id,
    )
    .verify_id_token(&token, OffsetDateTime::now_utc())
    .await;
    assert_eq!(other_region.unwrap_err(), TokenError::Invalid);
}

#[tokio::test]
async fn a_token_is_refused_once_it_has_expired_by_the_injected_clock() {
    let c = cloud();
    let token = moto_id_token().await;
    let issuer = cognito_issuer(&c.profile().region, &c.report.user_pool_id);
    let tomorrow = OffsetDateTime::now_utc() + time::Duration::days(1);
    let err = verifier(issuer, &c.report.client_id)
        .verify_id_token(&token, tomorrow)
        .await
        .unwrap_err();
    assert_eq!(err, TokenError::Expired);
}
