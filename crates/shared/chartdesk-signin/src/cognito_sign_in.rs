//! Sign-in steps against the Cognito user pool: the first call and the answers to challenges.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use aws_sdk_cognitoidentityprovider::Client;
use time::OffsetDateTime;
use tracing::instrument;

use crate::AuthFlow;
use crate::{AuthError, Session, Tokens};
use chartdesk_records::store::classify;
use chartdesk_records::token::{TokenError, TokenVerifier};

/// The user pool as sign-in sees it: the Cognito client, our app client id, and the verifier
/// every token Cognito returns is checked with before it is trusted.
#[derive(Debug)]
pub struct UserPool {
    pub cognito: Client,
    pub pool_id: String,
    pub client_id: String,
    pub verifier: TokenVerifier,
}

/// Where a sign-in stands after a call to Cognito.
#[derive(Debug)]
pub enum SignInStep {
    SignedIn(Session),
    /// An admin-created account must choose its own password before first use.
    NewPasswordRequired(PendingChallenge),
    /// The user enrolled an authenticator app: a 6-digit code is needed.
    TotpRequired(PendingChallenge),
    /// The pool requires MFA and the user has none yet: enrol an authenticator app.
    MfaSetupRequired(PendingChallenge),
}

/// A challenge awaiting the user's answer. The Cognito session string is a short-lived secret.
pub struct PendingChallenge {
    pub username: String,
    pub kind: ChallengeKind,
    session: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeKind {
    NewPassword,
    Totp,
    MfaSetup,
}

/// What InitiateAuth and RespondToAuthChallenge both answer: a challenge or the tokens.
pub(super) trait AuthAnswer {
    fn challenge_name(&self) -> Option<&ChallengeNameType>;
    fn session(&self) -> Option<&str>;
    fn challenge_parameters(&self) -> Option<&HashMap<String, String>>;
    fn authentication_result(&self) -> Option<&AuthenticationResultType>;
}

macro_rules! auth_answer {
    ($($output:ty),*) => {$(
        impl AuthAnswer for $output {
            fn challenge_name(&self) -> Option<&ChallengeNameType> {
                self.challenge_name()
            }
            fn session(&self) -> Option<&str> {
                self.session()
            }
            fn challenge_parameters(&self) -> Option<&HashMap<String, String>> {
                self.challenge_parameters()
            }
            fn authentication_result(&self) -> Option<&AuthenticationResultType> {
                self.authentication_result()
            }
        }
    )*};
}

auth_answer!(
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput
);

impl PendingChallenge {
    /// A challenge handed back by a client that holds it between calls (the browser: the
    /// server keeps no session state of its own).
    pub fn resume(username: String, kind: ChallengeKind, session: String) -> Self {
        Self {
            username,
            kind,
            session,
        }
    }

    /// Cognito's session string: a short-lived secret for the next answer.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Some steps (associating an authenticator) hand back a new session for the next call.
    pub(super) fn set_session(&mut self, session: &str) {
        self.session = session.to_string();
    }
}

/// A 6-digit authenticator code; pasted codes often carry spaces ("123 456").
pub(super) fn normalise_code(code: &str) -> Result<String, AuthError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(AuthError::CodeFormat)
    }
}

impl std::fmt::Debug for PendingChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingChallenge(<redacted>)")
    }
}

impl UserPool {
    /// First step of a sign-in with the profile's flow.
    pub async fn start_sign_in(
        &self,
        flow: AuthFlow,
        username: &str,
        password: &str,
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let username = username.trim();
        if username.is_empty() || password.is_empty() {
            return Err(AuthError::MissingCredentials);
        }
        match flow {
            AuthFlow::Srp => self.start_srp_sign_in(username, password, now).await,
            AuthFlow::Password => self.start_password_sign_in(username, password, now).await,
        }
    }

    #[instrument(skip_all)]
    async fn start_password_sign_in(
        &self,
        username: &str,
        password: &str,
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let out = self
            .cognito
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map_err(|e| AuthError::from(classify(e)))?;
        self.next_step(username, &out, now).await
    }

    /// Answers NEW_PASSWORD_REQUIRED. A weak password keeps the challenge usable for a retry.
    #[instrument(skip_all)]
    pub async fn answer_new_password(
        &self,
        pending: &PendingChallenge,
        new_password: &str,
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let answer = ("NEW_PASSWORD", new_password);
        self.answer(pending, ChallengeNameType::NewPasswordRequired, answer, now)
            .await
    }

    /// Answers SOFTWARE_TOKEN_MFA. A wrong code keeps the challenge usable for a retry.
    #[instrument(skip_all)]
    pub async fn answer_totp(
        &self,
        pending: &PendingChallenge,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let code = normalise_code(code)?;
        let answer = ("SOFTWARE_TOKEN_MFA_CODE", code.as_str());
        self.answer(pending, ChallengeNameType::SoftwareTokenMfa, answer, now)
            .await
    }

    async fn answer(
        &self,
        pending: &PendingChallenge,
        challenge: ChallengeNameType,
        (key, value): (&str, &str),
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let out = self
            .cognito
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(challenge)
            .session(&pending.session)
            .challenge_responses("USERNAME", &pending.username)
            .challenge_responses(key, value)
            .send()
            .await
            .map_err(|e| AuthError::from_challenge_answer(classify(e)))?;
        self.next_step(&pending.username, &out, now).await
    }

    pub(super) async fn next_step(
        &self,
        username: &str,
        out: &impl AuthAnswer,
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let (challenge, session) = (out.challenge_name(), out.session());
        let (params, result) = (out.challenge_parameters(), out.authentication_result());
        match challenge {
            None => self
                .session_from(username, result.ok_or(AuthError::BadToken)?, now)
                .await
                .map(SignInStep::SignedIn),
            Some(name) => {
                let kind = match name {
                    ChallengeNameType::NewPasswordRequired => ChallengeKind::NewPassword,
                    ChallengeNameType::SoftwareTokenMfa => ChallengeKind::Totp,
                    ChallengeNameType::MfaSetup => ChallengeKind::MfaSetup,
                    other => {
                        return Err(AuthError::UnsupportedChallenge(other.as_str().to_string()))
                    }
                };
                let session = session.ok_or(AuthError::BadToken)?.to_string();
                // Cognito names the user by its internal name here; answers must quote it.
                let username = params
                    .and_then(|p| p.get("USERNAME").or_else(|| p.get("USER_ID_FOR_SRP")))
                    .map_or(username, String::as_str)
                    .to_string();
                let pending = PendingChallenge {
                    username,
                    kind,
                    session,
                };
                Ok(match kind {
                    ChallengeKind::NewPassword => SignInStep::NewPasswordRequired(pending),
                    ChallengeKind::Totp => SignInStep::TotpRequired(pending),
                    ChallengeKind::MfaSetup => SignInStep::MfaSetupRequired(pending),
                })
            }
        }
    }

    /// Trusts nothing in the tokens until the ID token's signature and claims are verified.
    pub(super) async fn session_from(
        &self,
        username: &str,
        result: &AuthenticationResultType,
        now: OffsetDateTime,
    ) -> Result<Session, AuthError> {
        let (Some(id_token), Some(access_token)) = (result.id_token(), result.access_token())
        else {
            return Err(AuthError::BadToken);
        };
        let claims = self
            .verifier
            .verify_id_token(id_token, now)
            .await
            .map_err(|e| match e {
                TokenError::Expired => AuthError::ClockSkew,
                TokenError::KeysUnavailable => AuthError::Unreachable,
                _ => AuthError::BadToken,
            })?;
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
}
