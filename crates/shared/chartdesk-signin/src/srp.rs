//! USER_SRP_AUTH: the password never leaves the machine; Cognito checks a proof computed from it.
//! The maths is the `aws-cognito-srp` crate's; this module maps it onto Cognito's parameters.
//! crates/client/chartdesk/tests/integration/srp_maths.rs checks it against pycognito acting as the server.

use std::collections::HashMap;

use aws_cognito_srp::{SrpClient, User, VerificationParameters};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use time::OffsetDateTime;
use tracing::instrument;

use crate::{AuthError, SignInStep, UserPool};
use chartdesk_records::store::classify;

/// One SRP attempt: its secret `a` lives as long as this value, for exactly one exchange.
pub struct SrpAttempt {
    client: SrpClient<User>,
    username: String,
}

impl std::fmt::Debug for SrpAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrpAttempt(<redacted>)")
    }
}

impl SrpAttempt {
    pub fn new(pool_id: &str, client_id: &str, username: &str, password: &str) -> Self {
        Self {
            client: SrpClient::new(User::new(pool_id, username, password), client_id, None),
            username: username.to_string(),
        }
    }

    /// `SRP_A` for InitiateAuth (hex).
    pub fn public_a(&self) -> String {
        self.client.get_auth_parameters().a
    }

    /// The PASSWORD_VERIFIER answer to Cognito's challenge parameters.
    pub fn answer(
        &self,
        params: &HashMap<String, String>,
    ) -> Result<Vec<(&'static str, String)>, AuthError> {
        let get = |k: &str| params.get(k).map(String::as_str).ok_or(AuthError::BadToken);
        let user_id = get("USER_ID_FOR_SRP")?;
        let VerificationParameters {
            password_claim_secret_block,
            password_claim_signature,
            timestamp,
        } = self
            .client
            .verify(get("SECRET_BLOCK")?, user_id, get("SALT")?, get("SRP_B")?)
            .map_err(|_| AuthError::SrpProtocol)?;
        let username = params.get("USERNAME").unwrap_or(&self.username).clone();
        Ok(vec![
            ("USERNAME", username),
            ("PASSWORD_CLAIM_SECRET_BLOCK", password_claim_secret_block),
            ("PASSWORD_CLAIM_SIGNATURE", password_claim_signature),
            ("TIMESTAMP", timestamp),
        ])
    }
}

impl UserPool {
    /// InitiateAuth with `SRP_A`, then the PASSWORD_VERIFIER answer; later challenges
    /// (new password, TOTP) follow as for the password flow.
    #[instrument(skip_all)]
    pub(super) async fn start_srp_sign_in(
        &self,
        username: &str,
        password: &str,
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let attempt = SrpAttempt::new(&self.pool_id, &self.client_id, username, password);
        let init = self
            .cognito
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", attempt.public_a())
            .send()
            .await
            .map_err(|e| AuthError::from(classify(e)))?;
        if init.challenge_name() != Some(&ChallengeNameType::PasswordVerifier) {
            return Err(AuthError::SrpProtocol);
        }
        let params = init.challenge_parameters().ok_or(AuthError::SrpProtocol)?;
        let mut request = self
            .cognito
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_session(init.session().map(str::to_string));
        for (key, value) in attempt.answer(params)? {
            request = request.challenge_responses(key, value);
        }
        let out = request
            .send()
            .await
            .map_err(|e| AuthError::from(classify(e)))?;
        self.next_step(username, &out, now).await
    }
}
