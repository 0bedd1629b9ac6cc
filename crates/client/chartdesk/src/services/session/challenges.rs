//! Answers to the challenges a sign-in can meet: new password, authenticator code, enrolment.
//! Retryable mistakes keep the challenge open; anything else closes it.

use super::{Session, SessionError, SignInResult};
use chartdesk_signin::{AuthError, ChallengeKind, PendingChallenge, SignInStep};

impl Session {
    /// Answers NEW_PASSWORD_REQUIRED. On a weak password the challenge stays open for a retry.
    pub async fn complete_new_password(
        &self,
        new_password: &str,
        confirm: &str,
    ) -> Result<SignInResult, SessionError> {
        if new_password != confirm {
            return Err(AuthError::PasswordsDiffer.into());
        }
        let now = (self.clock)();
        self.answer(
            ChallengeKind::NewPassword,
            async |c: &mut PendingChallenge| {
                self.user_pool
                    .answer_new_password(c, new_password, now)
                    .await
            },
        )
        .await
    }

    /// Answers the authenticator-code challenge. A wrong or mistyped code can be retried.
    pub async fn complete_totp(&self, code: &str) -> Result<SignInResult, SessionError> {
        let now = (self.clock)();
        self.answer(ChallengeKind::Totp, async |c: &mut PendingChallenge| {
            self.user_pool.answer_totp(c, code, now).await
        })
        .await
    }

    /// Finishes enrolling an authenticator with its first code.
    pub async fn complete_mfa_setup(&self, code: &str) -> Result<SignInResult, SessionError> {
        let now = (self.clock)();
        self.answer(ChallengeKind::MfaSetup, async |c: &mut PendingChallenge| {
            self.user_pool.finish_mfa_setup(c, code, now).await
        })
        .await
    }

    async fn answer(
        &self,
        kind: ChallengeKind,
        respond: impl AsyncFnOnce(&mut PendingChallenge) -> Result<SignInStep, AuthError>,
    ) -> Result<SignInResult, SessionError> {
        let mut pending = self.pending.lock().await;
        let challenge = pending
            .as_mut()
            .filter(|c| c.kind == kind)
            .ok_or(AuthError::ChallengeExpired)?;
        match respond(challenge).await {
            Err(
                e @ (AuthError::WeakPassword(_) | AuthError::WrongCode | AuthError::CodeFormat),
            ) => Err(e.into()),
            other => {
                *pending = None;
                drop(pending);
                self.take_step(other?).await
            }
        }
    }
}
