//! `VerifiedUser`: the caller, from a Cognito access token verified against the pool's JWKS.
//! Roles come from the token's `cognito:groups`, never from the request.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
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

impl FromRequestParts<AppState> for VerifiedUser {
    type Rejection = ApiError;

    // skip_all: the token must never reach a log line.
    #[instrument(skip_all, name = "verify_token")]
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::MissingToken)?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::MissingToken)?;
        let claims = state
            .verifier
            .verify_access_token(token, state.now())
            .await?;
        Ok(Self {
            actor: claims.actor().to_string(),
            roles: claims.roles(),
        })
    }
}
