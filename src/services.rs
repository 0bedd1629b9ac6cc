//! The one value the app and the CLI build at start-up: profile, cloud clients, session.
//! Every user-facing operation goes through here, so the role check happens in one place.

use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::RwLock;
use tracing::instrument;

use crate::auth::{
    cognito_issuer, http_key_source, AuthError, PendingChallenge, Session, SignInStep,
    TokenVerifier, UserPool,
};
use crate::cloud::{CloudClients, ObjectStore};
use crate::config::{AuthFlow, ConfigError, Folders, Profile};
use crate::domain::{Action, PatientQuery, QueryError, Role};
use crate::records::{find_patient, LookupError, PatientSummary};

/// A clock passed in so session expiry is testable.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("Your role does not allow this")]
    Forbidden,
}

/// Who is signed in, as the UI may see it (no tokens).
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct SignedInUser {
    pub username: String,
    pub roles: Vec<Role>,
}

/// The outcome of a sign-in call, as the UI branches on it.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignInResult {
    SignedIn {
        user: SignedInUser,
    },
    /// Show the new-password form with these rules.
    NewPasswordRequired {
        username: String,
        rules: Vec<String>,
    },
}

/// Keys come from the pool's JWKS: on the local cloud at `{endpoint}/{pool}`, in AWS at the issuer.
fn token_verifier(profile: &Profile) -> TokenVerifier {
    let issuer = cognito_issuer(&profile.region, &profile.user_pool_id);
    let keys_base = match &profile.endpoint {
        Some(endpoint) => format!(
            "{}/{}",
            endpoint.trim_end_matches('/'),
            profile.user_pool_id
        ),
        None => issuer.clone(),
    };
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(3))
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .unwrap_or_default();
    TokenVerifier::new(
        issuer,
        profile.client_id.clone(),
        http_key_source(http, keys_base),
    )
}

pub struct Services {
    pub profile: Profile,
    pub clients: CloudClients,
    pub store: ObjectStore,
    user_pool: UserPool,
    session: RwLock<Option<Session>>,
    /// A challenge waiting for the user's answer (memory only).
    pending: tokio::sync::Mutex<Option<PendingChallenge>>,
    clock: Clock,
}

impl Services {
    /// Loads the named profile from the OS (or `CHARTDESK_*`-moved) folders.
    pub async fn start(profile_name: &str) -> Result<Self, AppError> {
        let folders = Folders::from_env()?;
        let profile = Profile::load(&folders, profile_name)?;
        Ok(Self::new(profile, system_clock()).await)
    }

    pub async fn new(profile: Profile, clock: Clock) -> Self {
        let clients = CloudClients::new(&profile).await;
        let store = clients.store(&profile);
        let user_pool = UserPool {
            cognito: clients.cognito.clone(),
            client_id: profile.client_id.clone(),
            verifier: token_verifier(&profile),
        };
        Self {
            profile,
            clients,
            store,
            user_pool,
            session: RwLock::new(None),
            pending: tokio::sync::Mutex::new(None),
            clock,
        }
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignInResult, AppError> {
        *self.pending.lock().await = None;
        let step = match self.profile.auth_flow {
            AuthFlow::Password => {
                self.user_pool
                    .start_password_sign_in(username, password, (self.clock)())
                    .await?
            }
        };
        self.take_step(step).await
    }

    /// Answers NEW_PASSWORD_REQUIRED. On a weak password the challenge stays open for a retry.
    pub async fn complete_new_password(
        &self,
        new_password: &str,
        confirm: &str,
    ) -> Result<SignInResult, AppError> {
        if new_password != confirm {
            return Err(AuthError::PasswordsDiffer.into());
        }
        let mut pending = self.pending.lock().await;
        let challenge = pending.as_ref().ok_or(AuthError::ChallengeExpired)?;
        let step = self
            .user_pool
            .answer_new_password(challenge, new_password, (self.clock)())
            .await;
        match step {
            Err(AuthError::WeakPassword(m)) => Err(AuthError::WeakPassword(m).into()),
            other => {
                *pending = None;
                drop(pending);
                self.take_step(other?).await
            }
        }
    }

    async fn take_step(&self, step: SignInStep) -> Result<SignInResult, AppError> {
        match step {
            SignInStep::SignedIn(session) => {
                let user = SignedInUser {
                    username: session.username.clone(),
                    roles: session.roles.clone(),
                };
                *self.session.write().await = Some(session);
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
        }
    }

    /// Forgets the session. Token revocation and the keychain come with the authentication issue.
    pub async fn sign_out(&self) {
        *self.session.write().await = None;
    }

    pub async fn current_user(&self) -> Option<SignedInUser> {
        let guard = self.session.read().await;
        guard
            .as_ref()
            .filter(|s| !s.is_expired((self.clock)()))
            .map(|s| SignedInUser {
                username: s.username.clone(),
                roles: s.roles.clone(),
            })
    }

    /// Refuses unless a live session's roles allow `action`.
    async fn authorize(&self, action: Action) -> Result<(), AppError> {
        let guard = self.session.read().await;
        let session = guard.as_ref().ok_or(AuthError::NotSignedIn)?;
        if session.is_expired((self.clock)()) {
            return Err(AuthError::NotSignedIn.into());
        }
        if session.may(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    #[instrument(skip_all, err(Display))]
    pub async fn find_patient(&self, query: &str) -> Result<PatientSummary, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let query = PatientQuery::parse(query, &self.profile.mrn_format)?;
        let record = find_patient(&self.store, &query).await?;
        Ok(PatientSummary::from_record(&record))
    }
}
