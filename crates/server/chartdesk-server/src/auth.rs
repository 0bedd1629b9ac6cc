//! `VerifiedUser`: the caller, from a Cognito access token verified against the pool's JWKS.
//! Roles come from the token's `cognito:groups`, never from the request; a token the pool no
//! longer honours, or naming a group its user has left, is refused within a minute.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use chartdesk_domain::{any_allows, Action, Role};
use tracing::instrument;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct VerifiedUser {
    /// Who the audit names: the Cognito username.
    pub actor: String,
    pub roles: Vec<Role>,
}

impl VerifiedUser {
    pub fn may(&self, action: Action) -> bool {
        any_allows(&self.roles, action)
    }

    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// The token in `Authorization: Bearer …`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for VerifiedUser {
    type Rejection = ApiError;

    // skip_all: the token must never reach a log line.
    #[instrument(skip_all, name = "verify_token")]
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(ApiError::MissingToken)?;
        let now = state.now();
        let claims = state.verifier.verify_access_token(token, now).await?;
        // The signature cannot say the session was ended since: the pool can (revocation.rs).
        state.sessions.confirm(token, &claims, now).await?;
        Ok(Self {
            actor: claims.actor().to_string(),
            roles: claims.roles(),
        })
    }
}
