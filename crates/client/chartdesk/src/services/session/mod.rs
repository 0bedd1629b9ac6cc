//! The signed-in session as one component: signing in and out, challenges, staying signed in
//! (keychain + refresh), the idle lock, and the role check every operation passes through.
//! It owns the session state and the lock; nothing else reads or changes them.

mod challenges;
mod unlock;

use std::sync::atomic::{AtomicBool, Ordering};

use time::Duration;
use tokio::sync::{Mutex, RwLock};
use tracing::instrument;

use super::Clock;
use crate::auth::{KeychainError, RefreshTokenVault};
use chartdesk_domain::Action;
use chartdesk_signin::{
    AuthError, AuthFlow, PasswordPolicy, PendingChallenge, SignInStep, UserPool,
};

/// Part of the core's API for its shells: a sign-in's outcome as the window and the CLI get it.
pub use chartdesk_domain::{SignInResult, SignedInUser};

/// Refresh this long before the access token expires.
const REFRESH_MARGIN: Duration = Duration::minutes(5);
/// How long after its expiry a session still opens the offline copy while the cloud cannot be
/// reached (a night shift without network).
const OFFLINE_GRACE: Duration = Duration::hours(12);

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error("Your role does not allow this")]
    Forbidden,
}

/// Called when the signed-in user changes (or signs out), so what was handed out to the last
/// user (break-glass reasons, thumbnail URLs) goes with them.
pub type OnUserChange = Box<dyn Fn() + Send + Sync>;

pub struct Session {
    user_pool: UserPool,
    auth_flow: AuthFlow,
    password_policy: PasswordPolicy,
    /// Where sessions are remembered across restarts; `None` for the CLI (memory only).
    vault: Option<RefreshTokenVault>,
    current: RwLock<Option<chartdesk_signin::Session>>,
    /// A challenge waiting for the user's answer (memory only).
    pending: Mutex<Option<PendingChallenge>>,
    /// Held while refreshing, so only one refresh runs at a time.
    refreshing: Mutex<()>,
    /// Locked after idle time: every operation is refused until the password is entered again.
    locked: AtomicBool,
    clock: Clock,
    on_user_change: OnUserChange,
}

impl Session {
    pub fn new(
        user_pool: UserPool,
        auth_flow: AuthFlow,
        password_policy: PasswordPolicy,
        clock: Clock,
        on_user_change: OnUserChange,
    ) -> Self {
        Self {
            user_pool,
            auth_flow,
            password_policy,
            vault: None,
            current: RwLock::new(None),
            pending: Mutex::new(None),
            refreshing: Mutex::new(()),
            locked: AtomicBool::new(false),
            clock,
            on_user_change,
        }
    }

    /// Keeps the refresh token in this keychain so a restart signs the user in.
    pub fn remembering_in(mut self, vault: RefreshTokenVault) -> Self {
        self.vault = Some(vault);
        self
    }

    /// The one place the session changes.
    async fn replace(
        &self,
        next: Option<chartdesk_signin::Session>,
    ) -> Option<chartdesk_signin::Session> {
        let previous = std::mem::replace(&mut *self.current.write().await, next);
        let same_user = match (&previous, &*self.current.read().await) {
            (Some(a), Some(b)) => a.username == b.username,
            _ => false,
        };
        if !same_user {
            (self.on_user_change)();
        }
        previous
    }

    fn user_of(&self, session: &chartdesk_signin::Session) -> SignedInUser {
        SignedInUser {
            username: session.username.clone(),
            roles: session.roles.clone(),
            roles_label: chartdesk_domain::roles_label(&session.roles),
            locked: self.is_locked(),
        }
    }

    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<SignInResult, SessionError> {
        *self.pending.lock().await = None;
        self.locked.store(false, Ordering::SeqCst);
        let step = self
            .user_pool
            .start_sign_in(self.auth_flow, username, password, (self.clock)())
            .await?;
        if matches!(step, SignInStep::SignedIn(_) | SignInStep::TotpRequired(_)) {
            // Cognito accepted the password: keep what lets the idle lock open offline.
            self.keep_unlock_verifier(username, password).await;
        }
        self.take_step(step).await
    }

    async fn take_step(&self, step: SignInStep) -> Result<SignInResult, SessionError> {
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
                self.replace(Some(session)).await;
                Ok(SignInResult::SignedIn { user })
            }
            SignInStep::NewPasswordRequired(challenge) => {
                let result = SignInResult::NewPasswordRequired {
                    username: challenge.username.clone(),
                    rules: self.password_policy.rules(),
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
    async fn remember(&self, session: &chartdesk_signin::Session) -> Result<(), SessionError> {
        if let (Some(vault), Some(refresh)) = (&self.vault, &session.tokens.refresh_token) {
            vault.save(&session.username, refresh).await?;
        }
        Ok(())
    }

    /// At start-up: signs the last user back in with the stored refresh token. A revoked or
    /// expired token is forgotten and the user sees the sign-in screen.
    #[instrument(skip_all)]
    pub async fn resume_session(&self) -> Result<Option<SignedInUser>, SessionError> {
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
                self.replace(Some(session)).await;
                Ok(Some(user))
            }
            Err(AuthError::SessionEnded) => {
                vault.forget(&username).await?;
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Revokes the refresh token (best effort), removes it from the keychain, forgets the
    /// session. What the session's user kept offline is the caller's (see `Services::sign_out`).
    pub async fn sign_out(&self) -> Result<(), SessionError> {
        *self.pending.lock().await = None;
        self.locked.store(false, Ordering::SeqCst);
        let session = self.replace(None).await;
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
        let guard = self.current.read().await;
        guard
            .as_ref()
            .filter(|s| !s.is_expired((self.clock)()))
            .map(|s| self.user_of(s))
    }

    /// Whether the signed-in user's roles allow `action` (for what the UI offers; the
    /// operation itself still goes through `authorize`).
    pub async fn may(&self, action: Action) -> bool {
        let guard = self.current.read().await;
        guard.as_ref().is_some_and(|s| s.may(action))
    }

    /// Something of the signed-in session; `NotSignedIn` without one.
    pub async fn read<T>(
        &self,
        read: impl FnOnce(&chartdesk_signin::Session) -> T,
    ) -> Result<T, AuthError> {
        let guard = self.current.read().await;
        Ok(read(guard.as_ref().ok_or(AuthError::NotSignedIn)?))
    }

    /// For what needs no role but must not happen behind the lock (clearing offline data).
    pub fn refuse_if_locked(&self) -> Result<(), AuthError> {
        if self.is_locked() {
            return Err(AuthError::Locked);
        }
        Ok(())
    }

    /// Refuses unless a live session's roles allow `action`; refreshes a session about to end.
    /// `offline`: the cloud cannot be reached, so an expired session stays usable for a while.
    pub async fn authorize(&self, action: Action, offline: bool) -> Result<(), SessionError> {
        self.refresh_if_due().await?;
        let guard = self.current.read().await;
        let session = guard.as_ref().ok_or(AuthError::NotSignedIn)?;
        let now = (self.clock)();
        // Offline, Cognito cannot renew the session: what is on this computer stays usable for
        // a bounded time (nothing reaches the cloud meanwhile; the first call that does renews
        // the session or ends it).
        let in_offline_grace = offline && now < session.expires_at + OFFLINE_GRACE;
        if session.is_expired(now) && !in_offline_grace {
            return Err(AuthError::NotSignedIn.into());
        }
        self.refuse_if_locked()?;
        if session.may(action) {
            Ok(())
        } else {
            Err(SessionError::Forbidden)
        }
    }

    async fn refresh_if_due(&self) -> Result<(), SessionError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let due = {
            let guard = self.current.read().await;
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
                self.replace(Some(session)).await;
                Ok(())
            }
            Err(AuthError::SessionEnded) => {
                self.replace(None).await;
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

/// Flattened into the app's error vocabulary, so the UI codes stay as they were.
impl From<SessionError> for super::AppError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Auth(e) => Self::Auth(e),
            SessionError::Keychain(e) => Self::Keychain(e),
            SessionError::Forbidden => Self::Forbidden,
        }
    }
}

impl From<SessionError> for crate::ui_error::UiError {
    fn from(e: SessionError) -> Self {
        super::AppError::from(e).into()
    }
}
