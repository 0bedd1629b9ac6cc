//! Signing in and out, challenges, staying signed in (keychain + refresh), and the role check
//! every operation passes through.

use std::sync::atomic::Ordering;

use time::Duration;
use tracing::instrument;

use super::{AppError, Services};
use crate::auth::offline_unlock::{verdict, Failures, Verdict};
use crate::auth::{AuthError, Session, SignInStep};
use crate::domain::Action;

/// Refresh this long before the access token expires.
const REFRESH_MARGIN: Duration = Duration::minutes(5);
/// How long after its expiry a session still opens the offline copy while the cloud cannot be
/// reached (a night shift without network).
const OFFLINE_GRACE: Duration = Duration::hours(12);

pub use crate::domain::{SignInResult, SignedInUser};

impl Services {
    /// The one place the session changes: what the server handed out to the last user (their
    /// break-glass reasons, thumbnail URLs) goes with it.
    async fn replace_session(&self, next: Option<Session>) -> Option<Session> {
        let previous = std::mem::replace(&mut *self.session.write().await, next);
        let same_user = match (&previous, &*self.session.read().await) {
            (Some(a), Some(b)) => a.username == b.username,
            _ => false,
        };
        if !same_user {
            self.handed_out.forget();
        }
        previous
    }

    fn user_of(&self, session: &Session) -> SignedInUser {
        SignedInUser {
            username: session.username.clone(),
            roles: session.roles.clone(),
            roles_label: crate::domain::roles_label(&session.roles),
            locked: self.locked.load(Ordering::SeqCst),
        }
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignInResult, AppError> {
        // The hospital's policy may have changed since start (public: no token needed).
        self.refresh_policy().await;
        *self.pending.lock().await = None;
        self.locked.store(false, Ordering::SeqCst);
        let step = self
            .user_pool
            .start_sign_in(self.profile.auth_flow, username, password, (self.clock)())
            .await?;
        if matches!(step, SignInStep::SignedIn(_) | SignInStep::TotpRequired(_)) {
            // Cognito accepted the password: keep what lets the idle lock open offline.
            self.keep_unlock_verifier(username, password).await;
        }
        self.take_step(step).await
    }

    /// Best effort: without it, an offline unlock waits for the network.
    async fn keep_unlock_verifier(&self, username: &str, password: &str) {
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
    ) -> Result<Option<bool>, AppError> {
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

    pub(super) async fn take_step(&self, step: SignInStep) -> Result<SignInResult, AppError> {
        match step {
            SignInStep::SignedIn(session) => {
                if let Err(e) = self.remember(&session).await {
                    // A token we cannot keep safely is not left valid either.
                    if let Some(refresh) = &session.tokens.refresh_token {
                        self.user_pool.revoke(refresh).await;
                    }
                    return Err(e);
                }
                let user = self.user_of(&session);
                self.replace_session(Some(session)).await;
                Ok(SignInResult::SignedIn { user })
            }
            SignInStep::NewPasswordRequired(challenge) => {
                let result = SignInResult::NewPasswordRequired {
                    username: challenge.username.clone(),
                    rules: self.profile.password_policy.rules(),
                };
                *self.pending.lock().await = Some(challenge);
                Ok(result)
            }
            SignInStep::TotpRequired(challenge) => {
                let result = SignInResult::TotpRequired {
                    username: challenge.username.clone(),
                };
                *self.pending.lock().await = Some(challenge);
                Ok(result)
            }
            SignInStep::MfaSetupRequired(mut challenge) => {
                let enrolment = self.user_pool.begin_mfa_setup(&mut challenge).await?;
                let result = SignInResult::MfaSetupRequired {
                    username: challenge.username.clone(),
                    secret: enrolment.secret,
                    qr_svg: enrolment.qr_svg,
                };
                *self.pending.lock().await = Some(challenge);
                Ok(result)
            }
        }
    }

    /// Without a keychain the sign-in is refused: the refresh token never goes anywhere else.
    async fn remember(&self, session: &Session) -> Result<(), AppError> {
        if let (Some(vault), Some(refresh)) = (&self.vault, &session.tokens.refresh_token) {
            vault.save(&session.username, refresh).await?;
        }
        Ok(())
    }

    /// At start-up: signs the last user back in with the stored refresh token. A revoked or
    /// expired token is forgotten and the user sees the sign-in screen.
    #[instrument(skip_all)]
    pub async fn resume_session(&self) -> Result<Option<SignedInUser>, AppError> {
        if let Some(user) = self.current_user().await {
            return Ok(Some(user));
        }
        let Some(vault) = &self.vault else {
            return Ok(None);
        };
        let Some((username, refresh)) = vault.last_session().await? else {
            return Ok(None);
        };
        match self
            .user_pool
            .refresh(&username, &refresh, (self.clock)())
            .await
        {
            Ok(session) => {
                // Shared ward computers: a restart never opens on the last user's records. It
                // opens locked for them; their password, or "Sign in as someone else".
                vault.set_locked(&username, true).await?;
                self.locked.store(true, Ordering::SeqCst);
                let user = self.user_of(&session);
                self.replace_session(Some(session)).await;
                Ok(Some(user))
            }
            Err(AuthError::SessionEnded) => {
                vault.forget(&username).await?;
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Locks the session (idle time, or the user's choice). Survives a restart via the keychain.
    pub async fn lock(&self) -> Result<(), AppError> {
        let guard = self.session.read().await;
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
    pub async fn unlock(&self, password: &str) -> Result<SignedInUser, AppError> {
        let username = {
            let guard = self.session.read().await;
            guard
                .as_ref()
                .ok_or(AuthError::NotSignedIn)?
                .username
                .clone()
        };
        let current = || async {
            let guard = self.session.read().await;
            guard.clone().ok_or(AuthError::NotSignedIn)
        };
        let attempt = self
            .user_pool
            .start_sign_in(self.profile.auth_flow, &username, password, (self.clock)())
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
        self.replace_session(Some(session)).await;
        Ok(user)
    }

    /// For what needs no role but must not happen behind the lock (clearing offline data).
    pub(super) fn refuse_if_locked(&self) -> Result<(), AppError> {
        if self.locked.load(Ordering::SeqCst) {
            return Err(AuthError::Locked.into());
        }
        Ok(())
    }

    async fn offline_failures(&self, username: &str) -> Result<Failures, AppError> {
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
    async fn offline_attempt_allowed(&self, username: &str) -> Result<(), AppError> {
        let failures = self.offline_failures(username).await?;
        match verdict(failures, (self.clock)().unix_timestamp()) {
            Verdict::Allowed => Ok(()),
            Verdict::Wait(seconds) => Err(AuthError::UnlockWait(seconds).into()),
            Verdict::Exhausted => Err(AuthError::OfflineUnlockExhausted.into()),
        }
    }

    async fn count_offline_failure(&self, username: &str) -> Result<(), AppError> {
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

    /// Revokes the refresh token (best effort), removes it from the keychain, forgets the session.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        *self.pending.lock().await = None;
        if self.profile.offline.clear_on_sign_out {
            // The profile asks for it: the copies go, the outbox stays for the next sign-in.
            if let Some(cache) = self.usable_cache().await {
                let _ = cache.clear_records().await;
            }
        }
        // The next user opens their own cache.
        *self.cache.lock().await = None;
        self.locked.store(false, Ordering::SeqCst);
        let session = self.replace_session(None).await;
        if let Some(session) = session {
            if let Some(refresh) = &session.tokens.refresh_token {
                self.user_pool.revoke(refresh).await;
            }
            if let Some(vault) = &self.vault {
                vault.forget(&session.username).await?;
            }
        }
        Ok(())
    }

    pub async fn current_user(&self) -> Option<SignedInUser> {
        let guard = self.session.read().await;
        guard
            .as_ref()
            .filter(|s| !s.is_expired((self.clock)()))
            .map(|s| self.user_of(s))
    }

    /// Refuses unless a live session's roles allow `action`; refreshes a session about to end.
    pub(super) async fn authorize(&self, action: Action) -> Result<(), AppError> {
        self.refresh_if_due().await?;
        let guard = self.session.read().await;
        let session = guard.as_ref().ok_or(AuthError::NotSignedIn)?;
        let now = (self.clock)();
        // Offline, Cognito cannot renew the session: what is on this computer stays usable for
        // a bounded time (nothing reaches the cloud meanwhile; the first call that does renews
        // the session or ends it).
        let in_offline_grace = self.seems_offline() && now < session.expires_at + OFFLINE_GRACE;
        if session.is_expired(now) && !in_offline_grace {
            return Err(AuthError::NotSignedIn.into());
        }
        if self.locked.load(Ordering::SeqCst) {
            return Err(AuthError::Locked.into());
        }
        if session.may(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    async fn refresh_if_due(&self) -> Result<(), AppError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let due = {
            let guard = self.session.read().await;
            guard.as_ref().and_then(|s| {
                let soon = (self.clock)() + REFRESH_MARGIN >= s.expires_at;
                let refresh = s.tokens.refresh_token.clone()?;
                soon.then(|| (s.username.clone(), refresh))
            })
        };
        let Some((username, refresh)) = due else {
            return Ok(());
        };
        match self
            .user_pool
            .refresh(&username, &refresh, (self.clock)())
            .await
        {
            Ok(session) => {
                self.replace_session(Some(session)).await;
                Ok(())
            }
            Err(AuthError::SessionEnded) => {
                self.replace_session(None).await;
                if let Some(vault) = &self.vault {
                    vault.forget(&username).await?;
                }
                Err(AuthError::SessionEnded.into())
            }
            // Offline or a passing failure: keep the session until it really expires.
            Err(_) => Ok(()),
        }
    }
}
