//! The one value the app and the CLI build at start-up: profile, cloud clients, session.
//! It holds the components and answers what every operation asks first (role, lock, MRN
//! format, token, the user's cache); the operations themselves are on handles named for their
//! job (`app.patients()`, `app.documents()`, `app.outbox()`, `app.offline()`, `app.admin()`).

mod cached_records;
mod coalesce;
mod documents;
mod export;
mod fhir_export;
mod hospital_policy;
mod offline;
mod offline_copy;
mod offline_reads;
mod offline_refresh;
mod offline_text;
mod offline_views;
mod opened_document;
mod patients;
mod records_client;
mod records_server;
mod remote_documents;
mod removal;
mod session;
mod sync_round;
mod upload;

use std::sync::Arc;

use chartdesk_api::{CompleteUpload, StartUpload, StartedUpload};
use time::OffsetDateTime;

use crate::auth::RefreshTokenVault;
use crate::config::{ConfigError, Folders, Profile};
use chartdesk_domain::{Action, QueryError};
use chartdesk_domain::{DocumentRow, Mrn};
use chartdesk_records::token::TokenVerifier;
use chartdesk_records::LookupError;
use chartdesk_signin::{AuthError, UserPool};

/// Start requests out at once: enough that a distant server's round trip does not hold up
/// the next files' starts, few enough that a batch still gathers under load.
const START_LANES: usize = 4;

pub use documents::{DocumentView, Documents};
pub use export::{ExportSelection, ExportSummary};
pub use fhir_export::{FhirExportFile, FhirExportSummary};
pub use hospital_policy::{saved_policy_path, HospitalPolicy};
pub use offline::{index_rows, OfflineError, OfflineStore};
pub use offline_copy::{OfflineCopy, PinReport};
pub use opened_document::OpenedDocument;
pub use patients::Patients;
pub use records_client::{RecordsClient, RecordsError};
pub use records_server::{
    break_glass_choices, AccessEvent, AccessHistoryRows, AlertList, BreakGlassChoice, RecordsAdmin,
};
pub use session::{Session, SessionError, SignInResult, SignedInUser};
pub use sync_round::SyncStatus;
pub use upload::{
    decode_file_name, Destination, DrainReport, DrainedItem, FileUpload, Outbox, Upload,
    UploadOutcome, UploadProgress,
};

/// A clock passed in so session expiry is testable.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

// The one real clock; everything else takes the time from a `Clock`.
#[allow(clippy::disallowed_methods)]
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
    Keychain(#[from] crate::auth::KeychainError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("Your role does not allow this")]
    Forbidden,
    #[error("There is no such document category")]
    NoSuchCategory,
    /// A page's cursor names a row no longer listed (`chartdesk_domain::LIST_CHANGED`).
    #[error("The list changed since its first page: open the category again")]
    ListChanged,
    #[error("That document is not in this patient's record (it may have been removed)")]
    NoSuchDocument,
    #[error(
        "This image's optimized copy was not kept on this computer; open the original instead"
    )]
    OptimizedNotKept,
    /// The record says it may not be opened (`chartdesk_domain::withheld`): flagged by the
    /// virus scanner, failed processing, or not yet checked.
    #[error(transparent)]
    Withheld(#[from] chartdesk_domain::Withheld),
    #[error(
        "The stored file does not match its checksum and was not opened. Contact the records team"
    )]
    Corrupted,
    #[error(transparent)]
    Stamp(#[from] chartdesk_domain::StampError),
    #[error("The record is being changed by many people at once; please try again")]
    Contended,
    #[error("This upload is being sent right now by another Chartdesk window or run; try again in a moment")]
    Busy,
    #[error(transparent)]
    FileRefused(#[from] chartdesk_domain::FileRefusal),
    #[error(transparent)]
    Attach(chartdesk_domain::AttachError),
    #[error(transparent)]
    Export(#[from] crate::export::ArchiveError),
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    #[error("This profile has no folder for offline data")]
    NoOfflineCache,
    #[error(transparent)]
    Server(#[from] crate::cloud::ServerError),
    #[error("This profile names no records server (server_url), which this needs")]
    NoServer,
    #[error(transparent)]
    BreakGlass(#[from] chartdesk_domain::BreakGlassError),
}

pub struct Services {
    pub profile: Profile,
    /// The records server, when the profile names one, and what it handed out (see
    /// `records_client`): it decides and audits what goes through it.
    records: RecordsClient,
    /// Who is signed in, the idle lock and the role check (see `session`).
    session: Session,
    clock: Clock,
    /// The encrypted offline copy (see `offline`).
    offline_store: OfflineStore,
    /// The hospital's policy in force (see `hospital_policy`), and where its copy is kept.
    policy: std::sync::RwLock<Arc<HospitalPolicy>>,
    policy_file: Option<std::path::PathBuf>,
    /// The window's choice: a find asks for the screen only and the offline copy is read
    /// afterwards (see `offline_refresh`).
    copies_after_screen: bool,
    /// Uploads' completes made at about the same time, sent as one (see `coalesce`).
    completions: coalesce::Coalescer<CompleteUpload, Result<DocumentRow, AppError>>,
    /// Uploads' starts made at about the same time, sent as one; a few batches may be out at
    /// once (a start reads the record and claims ids: starts never race one another).
    starts: coalesce::Coalescer<StartUpload, Result<StartedUpload, AppError>>,
}

impl Services {
    /// Loads the named profile from the OS (or `CHARTDESK_*`-moved) folders.
    pub async fn start(profile_name: &str) -> Result<Self, AppError> {
        let folders = Folders::from_env()?;
        let profile = Profile::load(&folders, profile_name)?;
        let services = Self::new(profile, system_clock())
            .await
            .with_cache_dir(folders.data.join("cache"))
            .keeping_policy_at(saved_policy_path(&folders.data, profile_name));
        services.refresh_policy().await;
        Ok(services)
    }

    pub async fn new(profile: Profile, clock: Clock) -> Self {
        let user_pool = UserPool {
            cognito: crate::cloud::cognito_client(&profile).await,
            pool_id: profile.user_pool_id.clone(),
            client_id: profile.client_id.clone(),
            verifier: token_verifier(&profile),
        };
        let records = RecordsClient::new(profile.server_url.as_deref());
        let session = Session::new(
            user_pool,
            profile.auth_flow,
            profile.password_policy,
            clock.clone(),
            records.forgetter(),
        );
        let offline = OfflineStore::new(&profile, clock.clone());
        Self {
            profile,
            records,
            session,
            offline_store: offline,
            clock,
            policy: Default::default(),
            policy_file: None,
            copies_after_screen: false,
            completions: coalesce::Coalescer::default(),
            starts: coalesce::Coalescer::with_lanes(START_LANES),
        }
    }

    /// Keeps the refresh token in the profile's keychain so a restart signs the user in.
    pub fn remembering_sessions(mut self) -> Self {
        let vault = RefreshTokenVault::new(
            &self.profile.name,
            &self.profile.client_id,
            self.profile.keychain,
        );
        self.session = self.session.remembering_in(vault);
        self
    }

    /// Signing in and out, challenges, the idle lock: the shells call the component.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The hospital's policy may have changed since start (public: no token needed).
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignInResult, AppError> {
        self.refresh_policy().await;
        Ok(self.session.sign_in(username, password).await?)
    }

    /// Signs out; the offline copies go when the profile asks for it (the outbox stays for
    /// the next sign-in), and the next user opens their own cache.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        if self.profile.offline.clear_on_sign_out {
            if let Some(cache) = self.usable_cache().await {
                let _ = cache.clear_records().await;
            }
        }
        self.offline_store.close().await;
        Ok(self.session.sign_out().await?)
    }

    /// Refuses unless a live session's roles allow `action` (see `Session::authorize`).
    pub(super) async fn authorize(&self, action: Action) -> Result<(), AppError> {
        Ok(self.session.authorize(action, self.seems_offline()).await?)
    }

    /// For what needs no role but must not happen behind the lock (clearing offline data).
    pub(super) fn refuse_if_locked(&self) -> Result<(), AppError> {
        Ok(self.session.refuse_if_locked()?)
    }

    pub(super) fn parse_mrn(&self, mrn: &str) -> Result<Mrn, AppError> {
        self.policy()
            .mrn_format
            .parse(mrn)
            .map_err(|e| AppError::Query(e.into()))
    }

    /// Whether the signed-in user's roles allow `action` (for what the UI offers; the
    /// operation itself still goes through `authorize`).
    pub(super) async fn may(&self, action: Action) -> bool {
        self.session.may(action).await
    }

    pub(super) async fn actor(&self) -> Result<String, AppError> {
        Ok(self.session.read(|s| s.username.clone()).await?)
    }
}

fn token_verifier(profile: &Profile) -> TokenVerifier {
    chartdesk_records::token::pool_verifier(
        &profile.region,
        &profile.user_pool_id,
        &profile.client_id,
        profile.endpoint.as_deref(),
    )
}

/// A manifest change's failure: the rule's own error, contention, or the store's.
impl From<chartdesk_records::UpdateError<AppError>> for AppError {
    fn from(e: chartdesk_records::UpdateError<AppError>) -> Self {
        match e {
            chartdesk_records::UpdateError::Rule(rule) => rule,
            chartdesk_records::UpdateError::Contended => AppError::Contended,
            chartdesk_records::UpdateError::Store(s) => LookupError::from(s).into(),
        }
    }
}
