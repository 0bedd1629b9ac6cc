//! The one value the app and the CLI build at start-up: profile, cloud clients, session.
//! Every user-facing operation goes through here, so the role check happens in one place.

mod cached_records;
mod challenges;
mod documents;
mod export;
mod offline_budget;
mod offline_cache;
mod outbox;
mod removal;
mod scan_status;
mod session;
mod sync_round;
mod upload;

use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::{Mutex, RwLock};
use tracing::instrument;

use crate::auth::{
    cognito_issuer, http_key_source, AuthError, PendingChallenge, RefreshTokenVault, Session,
    TokenVerifier, UserPool,
};
use crate::cloud::{CloudClients, ObjectStore};
use crate::config::{ConfigError, Folders, Profile};
use crate::domain::{Action, PatientQuery, QueryError};
use crate::records::{find_patient, LookupError, PatientSummary};

pub use documents::OpenedDocument;
pub use export::{ExportSelection, ExportSummary};
pub use offline_budget::PinReport;
pub use outbox::{DrainReport, DrainedItem, UploadOutcome};
pub use session::{SignInResult, SignedInUser};
pub use sync_round::SyncStatus;
pub use upload::{decode_file_name, Upload, UploadProgress};

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
    #[error("There is no such document category")]
    NoSuchCategory,
    #[error("That document is not in this patient's record (it may have been removed)")]
    NoSuchDocument,
    #[error(
        "This file was flagged by the virus scanner and cannot be opened. Contact the records team"
    )]
    Infected,
    #[error(
        "The stored file does not match its checksum and was not opened. Contact the records team"
    )]
    Corrupted,
    #[error(transparent)]
    Stamp(#[from] crate::domain::StampError),
    #[error("The record is being changed by many people at once; please try again")]
    Contended,
    #[error(transparent)]
    FileRefused(#[from] crate::domain::FileRefusal),
    #[error(transparent)]
    Attach(crate::domain::AttachError),
    #[error(transparent)]
    Export(#[from] crate::export::ArchiveError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    #[error("This profile has no folder for offline data")]
    NoOfflineCache,
}

impl From<crate::auth::KeychainError> for AppError {
    fn from(e: crate::auth::KeychainError) -> Self {
        AppError::Auth(AuthError::Keychain(e))
    }
}

pub struct Services {
    pub profile: Profile,
    pub clients: CloudClients,
    pub store: ObjectStore,
    user_pool: UserPool,
    /// Where sessions are remembered across restarts; `None` for the CLI (memory only).
    vault: Option<RefreshTokenVault>,
    session: RwLock<Option<Session>>,
    /// A challenge waiting for the user's answer (memory only).
    pending: Mutex<Option<PendingChallenge>>,
    /// Held while refreshing, so only one refresh runs at a time.
    refreshing: Mutex<()>,
    /// Locked after idle time: every operation is refused until the password is entered again.
    locked: std::sync::atomic::AtomicBool,
    clock: Clock,
    /// Where each user's encrypted cache lives; `None` keeps nothing offline (some tests).
    pub(crate) cache_dir: Option<std::path::PathBuf>,
    /// The open cache and the user it belongs to.
    cache: Mutex<Option<(String, crate::cache::Cache)>>,
}

impl Services {
    /// Loads the named profile from the OS (or `CHARTDESK_*`-moved) folders.
    pub async fn start(profile_name: &str) -> Result<Self, AppError> {
        let folders = Folders::from_env()?;
        let profile = Profile::load(&folders, profile_name)?;
        Ok(Self::new(profile, system_clock())
            .await
            .with_cache_dir(folders.data.join("cache")))
    }

    pub async fn new(profile: Profile, clock: Clock) -> Self {
        let clients = CloudClients::new(&profile).await;
        let store = clients.store(&profile);
        let user_pool = UserPool {
            cognito: clients.cognito.clone(),
            pool_id: profile.user_pool_id.clone(),
            client_id: profile.client_id.clone(),
            verifier: token_verifier(&profile),
        };
        Self {
            profile,
            clients,
            store,
            user_pool,
            vault: None,
            session: RwLock::new(None),
            pending: Mutex::new(None),
            refreshing: Mutex::new(()),
            locked: std::sync::atomic::AtomicBool::new(false),
            clock,
            cache_dir: None,
            cache: Mutex::new(None),
        }
    }

    /// Keeps the refresh token in the profile's keychain so a restart signs the user in.
    pub fn remembering_sessions(mut self) -> Self {
        self.vault = Some(RefreshTokenVault::new(
            &self.profile.name,
            &self.profile.client_id,
            self.profile.keychain,
        ));
        self
    }

    /// Cache-first: a patient this user opened before comes from the encrypted cache at once
    /// (`synced_at` says how fresh); the UI then calls `revalidate_patient`. Otherwise live.
    #[instrument(skip_all, err(Display))]
    pub async fn find_patient(&self, query: &str) -> Result<PatientSummary, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let query = PatientQuery::parse(query, &self.profile.mrn_format)?;
        let key = match &query {
            PatientQuery::Mrn(m) => m.to_string(),
            PatientQuery::Nhs(n) => n.digits().to_string(),
        };
        if let Some((record, synced_at)) = self.cached_record(&key).await {
            if let Some(cache) = self.usable_cache().await {
                let now = (self.clock)().format(&time::format_description::well_known::Rfc3339);
                let _ = cache
                    .touch(record.patient.mrn.as_ref(), &now.unwrap_or_default())
                    .await;
            }
            return Ok(self.summary(&record, Some(synced_at)).await);
        }
        let record = find_patient(&self.store, &query).await?;
        self.remember_record(&record).await;
        Ok(self.summary(&record, None).await)
    }
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

/// A manifest change's failure: the rule's own error, contention, or the store's.
impl From<crate::records::UpdateError<AppError>> for AppError {
    fn from(e: crate::records::UpdateError<AppError>) -> Self {
        match e {
            crate::records::UpdateError::Rule(rule) => rule,
            crate::records::UpdateError::Contended => AppError::Contended,
            crate::records::UpdateError::Store(s) => LookupError::from(s).into(),
        }
    }
}
