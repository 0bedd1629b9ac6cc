//! The idle lock: locking, and unlocking with the password (checked by Cognito, or offline
//! against the verifier kept at the last online check, a bounded number of times).

use std::sync::atomic::Ordering;

use super::{Session, SessionError, SignedInUser};
use crate::auth::offline_unlock::{verdict, Failures, Verdict};
use chartdesk_signin::{AuthError, SignInStep};

impl Session {
    /// Best effort: without it, an offline unlock waits for the network.
    pub(super) async fn keep_unlock_verifier(&self, username: &str, password: &str) {
        let Some(vault) = &self.vault else {
            return;
        };
        let password = password.to_string();
        let made = tokio::task::spawn_blocking(move || {
            crate::auth::offline_unlock::password_verifier(&password)
        })
        .await;
        if let Ok(Some(verifier)) = made {
            let _ = vault.save_unlock_verifier(username, verifier).await;
        }
        // Cognito accepted the password: wrong offline tries before it no longer count.
        let _ = vault.save_unlock_failures(username, None).await;
    }

    /// The idle lock opened without Cognito: the password checked against the verifier kept
    /// at the last online check. `None` when there is no verifier (wait for the network).
    async fn unlock_offline(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<bool>, SessionError> {
        let Some(vault) = &self.vault else {
            return Ok(None);
        };
        let Some(verifier) = vault.unlock_verifier(username).await? else {
            return Ok(None);
        };
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || {
            crate::auth::offline_unlock::password_matches(&verifier, &password)
        })
        .await
        .unwrap_or(false);
        Ok(Some(matches))
    }

    /// Locks the session (idle time, or the user's choice). Survives a restart via the keychain.
    pub async fn lock(&self) -> Result<(), SessionError> {
        let guard = self.current.read().await;
        let Some(session) = guard.as_ref() else {
            return Ok(());
        };
        self.locked.store(true, Ordering::SeqCst);
        if let Some(vault) = &self.vault {
            vault.set_locked(&session.username, true).await?;
        }
        Ok(())
    }

    /// Unlocks with the signed-in user's password, checked by Cognito (a fresh sign-in).
    /// A wrong password leaves the session locked.
    pub async fn unlock(&self, password: &str) -> Result<SignedInUser, SessionError> {
        let username = self.read(|s| s.username.clone()).await?;
        let current = || async {
            let guard = self.current.read().await;
            guard.clone().ok_or(AuthError::NotSignedIn)
        };
        let attempt = self
            .user_pool
            .start_sign_in(self.auth_flow, &username, password, (self.clock)())
            .await;
        let session = match attempt {
            // Unlocking checks the password only: an MFA user proved the second factor at
            // sign-in.
            Ok(SignInStep::SignedIn(session)) => {
                self.keep_unlock_verifier(&username, password).await;
                self.remember(&session).await?;
                session
            }
            Ok(SignInStep::TotpRequired(_)) => {
                self.keep_unlock_verifier(&username, password).await;
                current().await?
            }
            Ok(SignInStep::NewPasswordRequired(_) | SignInStep::MfaSetupRequired(_)) => {
                return Err(AuthError::UnsupportedChallenge("unlock".into()).into())
            }
            // No network: the verifier kept at the last online check decides, a bounded
            // number of times.
            Err(AuthError::Unreachable) => {
                self.offline_attempt_allowed(&username).await?;
                match self.unlock_offline(&username, password).await? {
                    Some(true) => current().await?,
                    Some(false) => {
                        self.count_offline_failure(&username).await?;
                        return Err(AuthError::WrongCredentials.into());
                    }
                    None => return Err(AuthError::Unreachable.into()),
                }
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(vault) = &self.vault {
            vault.set_locked(&username, false).await?;
            vault.save_unlock_failures(&username, None).await?;
        }
        self.locked.store(false, Ordering::SeqCst);
        let user = self.user_of(&session);
        self.replace(Some(session)).await;
        Ok(user)
    }

    async fn offline_failures(&self, username: &str) -> Result<Failures, SessionError> {
        let Some(vault) = &self.vault else {
            return Ok(Failures::default());
        };
        Ok(vault
            .unlock_failures(username)
            .await?
            .map(|f| Failures::decode(&f))
            .unwrap_or_default())
    }

    /// Refuses an offline try while the wait after the last wrong one runs, and for good
    /// after `MAX_OFFLINE_ATTEMPTS` (until an online unlock or sign-in).
    async fn offline_attempt_allowed(&self, username: &str) -> Result<(), SessionError> {
        let failures = self.offline_failures(username).await?;
        match verdict(failures, (self.clock)().unix_timestamp()) {
            Verdict::Allowed => Ok(()),
            Verdict::Wait(seconds) => Err(AuthError::UnlockWait(seconds).into()),
            Verdict::Exhausted => Err(AuthError::OfflineUnlockExhausted.into()),
        }
    }

    async fn count_offline_failure(&self, username: &str) -> Result<(), SessionError> {
        let next = self
            .offline_failures(username)
            .await?
            .after_another((self.clock)().unix_timestamp());
        if let Some(vault) = &self.vault {
            vault
                .save_unlock_failures(username, Some(next.encode()))
                .await?;
        }
        tracing::warn!(count = next.count, "wrong password at an offline unlock");
        Ok(())
    }
}
