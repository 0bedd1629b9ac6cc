//! Staying signed in: refresh with the refresh token, and revoke it at sign-out.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use time::OffsetDateTime;
use tracing::instrument;

use crate::{AuthError, Session, UserPool};
use chartdesk_records::store::{classify, Failure};

impl UserPool {
    /// New ID and access tokens from a refresh token. Cognito (and moto) may not rotate the
    /// refresh token itself; the one we hold is kept then.
    /// A refused refresh is routine (revoked or expired token): logged as a warning, not an error.
    #[instrument(skip_all)]
    pub async fn refresh(
        &self,
        username: &str,
        refresh_token: &str,
        now: OffsetDateTime,
    ) -> Result<Session, AuthError> {
        let out = self
            .cognito
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&self.client_id)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
            .map_err(|e| match classify(e) {
                f if f.code() == Some("NotAuthorizedException") => AuthError::SessionEnded,
                f => AuthError::from(f),
            })?;
        let result = out.authentication_result().ok_or(AuthError::BadToken)?;
        let mut session = self.session_from(username, result, now).await?;
        if session.tokens.refresh_token.is_none() {
            session.tokens.refresh_token = Some(refresh_token.to_string());
        }
        Ok(session)
    }

    /// Best effort: sign-out completes locally whatever the pool answers (moto does not
    /// implement RevokeToken and answers 500).
    pub async fn revoke(&self, refresh_token: &str) {
        let result = self
            .cognito
            .revoke_token()
            .client_id(&self.client_id)
            .token(refresh_token)
            .send()
            .await
            .map_err(classify);
        if let Err(f) = result {
            let status = f.status().unwrap_or_default();
            let reachable = f != Failure::Unreachable;
            tracing::debug!(status, reachable, "refresh token revocation not confirmed");
        }
    }
}
