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
    /// It always reads as a session that ended, never as wrong settings: Cognito answers an
    /// unknown or empty refresh token with ResourceNotFoundException too, and the pool and
    /// client were proved by the sign-in that issued the token.
    #[instrument(skip_all)]
    pub async fn refresh(
        &self,
        username: &str,
        refresh_token: &str,
        now: OffsetDateTime,
    ) -> Result<Session, AuthError> {
        if username.trim().is_empty() || refresh_token.trim().is_empty() {
            return Err(AuthError::RefreshIncomplete);
        }
        let out = self
            .cognito
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&self.client_id)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
            .map_err(|e| match classify(e) {
                f if matches!(
                    f.code(),
                    Some("NotAuthorizedException" | "ResourceNotFoundException")
                ) =>
                {
                    AuthError::SessionEnded
                }
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
        self.revoke_confirmed(refresh_token).await;
    }

    /// Ends a session so that its access token fails the records server's check too (revocation
    /// in the server): RevokeToken revokes the refresh token and the access tokens issued with
    /// it (the app client has EnableTokenRevocation). Where the pool does not confirm that (moto
    /// does not implement RevokeToken), GlobalSignOut with the access token ends every session
    /// of the user instead: failing safe. Best effort: sign-out never fails for the user.
    pub async fn sign_out(&self, refresh_token: Option<&str>, access_token: Option<&str>) {
        let revoked = match refresh_token.filter(|t| !t.is_empty()) {
            Some(token) => self.revoke_confirmed(token).await,
            None => false,
        };
        let Some(access) = access_token.filter(|t| !t.is_empty()) else {
            return;
        };
        if revoked {
            return;
        }
        let result = self
            .cognito
            .global_sign_out()
            .access_token(access)
            .send()
            .await
            .map_err(classify);
        if let Err(f) = result {
            let status = f.status().unwrap_or_default();
            let reachable = f != Failure::Unreachable;
            tracing::debug!(status, reachable, "global sign-out not confirmed");
        }
    }

    async fn revoke_confirmed(&self, refresh_token: &str) -> bool {
        let result = self
            .cognito
            .revoke_token()
            .client_id(&self.client_id)
            .token(refresh_token)
            .send()
            .await
            .map_err(classify);
        match result {
            Ok(_) => true,
            Err(f) => {
                let status = f.status().unwrap_or_default();
                let reachable = f != Failure::Unreachable;
                tracing::debug!(status, reachable, "refresh token revocation not confirmed");
                false
            }
        }
    }
}
