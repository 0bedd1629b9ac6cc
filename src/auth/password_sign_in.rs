//! USER_PASSWORD_AUTH sign-in (SRP and challenges come with the authentication issue).

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use time::OffsetDateTime;
use tracing::instrument;

use super::{AuthError, IdClaims, Session, Tokens};
use crate::cloud::classify;

/// Signs in with user name and password. `now` is passed in so expiry is testable.
#[instrument(skip_all, err(Display))]
pub async fn sign_in_with_password(
    cognito: &aws_sdk_cognitoidentityprovider::Client,
    client_id: &str,
    username: &str,
    password: &str,
    now: OffsetDateTime,
) -> Result<Session, AuthError> {
    let username = username.trim();
    if username.is_empty() || password.is_empty() {
        return Err(AuthError::MissingCredentials);
    }
    let out = cognito
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(client_id)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|e| AuthError::from(classify(e)))?;

    if let Some(challenge) = out.challenge_name() {
        return Err(match challenge {
            ChallengeNameType::NewPasswordRequired => AuthError::NewPasswordRequired,
            other => AuthError::UnsupportedChallenge(other.as_str().to_string()),
        });
    }
    let result = out.authentication_result().ok_or(AuthError::BadToken)?;
    let (Some(id_token), Some(access_token)) = (result.id_token(), result.access_token()) else {
        return Err(AuthError::BadToken);
    };
    let claims = IdClaims::decode(id_token).map_err(|_| AuthError::BadToken)?;
    tracing::info!(roles = claims.groups.len(), "signed in");
    Ok(Session {
        username: claims
            .username
            .clone()
            .unwrap_or_else(|| username.to_string()),
        roles: claims.roles(),
        expires_at: now + time::Duration::seconds(i64::from(result.expires_in().max(0))),
        tokens: Tokens {
            id_token: id_token.to_string(),
            access_token: access_token.to_string(),
            refresh_token: result.refresh_token().map(str::to_string),
        },
    })
}
