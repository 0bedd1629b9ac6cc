//! Provisions the local cloud (or a fresh AWS account) through the same AWS SDK the app uses:
//! bucket, user pool, app client, groups, demo users, demo patients and documents.
//! Idempotent: a second run finds everything in place and changes nothing.

mod bucket_cors;
mod demo_files;
mod demo_patients;
mod demo_previews;
mod demo_processing;
mod demo_records;
pub mod launch;
mod processing_queue;
mod seeded_patient;
pub mod server_identity;
pub mod totp;
mod user_pool;

use serde::Serialize;

use chartdesk::cloud::CloudClients;
use chartdesk::config::{ConfigError, ConfigFile, Folders, ProfileFile};
use chartdesk_domain::Role;
use chartdesk_records::store::{Failure, StoreError};

pub use demo_files::{demo_jpeg, demo_pdf, demo_scan};
pub use demo_patients::{demo_patients, DemoPatient};
pub use demo_records::{ensure as seed_demo_records, Counts as DemoCounts};
pub use seeded_patient::seed_patient;
pub use user_pool::{demo_users, sandbox_password_policy, DemoUser};

pub const SANDBOX_PROFILE: &str = "sandbox";
/// moto implements GlobalSignOut only in us-east-1 (ARCHITECTURE.md §7).
pub const SANDBOX_REGION: &str = "us-east-1";
pub const SANDBOX_BUCKET: &str = "chartdesk-sandbox";
pub const POOL_NAME: &str = "chartdesk-sandbox";
pub const CLIENT_NAME: &str = "chartdesk-desktop";
/// moto hands every user the same authenticator secret (and checks codes against it only when
/// started with MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true, as our scripts do).
pub const MOTO_TOTP_SECRET: &str = "asdfasdfasdf";

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("Cannot reach the local cloud at the given endpoint. Is moto_server running?")]
    Unreachable,
    #[error("Provisioning the user pool failed: {0}")]
    Cognito(Failure),
    #[error("Provisioning the bucket failed: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("Provisioning the processing queue on the local cloud failed")]
    Queue,
    #[error("Provisioning the records server's identity failed: {0}")]
    ServerIdentity(#[from] server_identity::IdentityError),
}

impl From<Failure> for ProvisionError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Unreachable => ProvisionError::Unreachable,
            other => ProvisionError::Cognito(other),
        }
    }
}

/// What `chartdesk sandbox up` prints.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxReport {
    pub profile: String,
    pub endpoint: String,
    pub server_url: Option<String>,
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub bucket: String,
    pub users: Vec<DemoUserReport>,
    pub patients: usize,
    pub documents: usize,
    /// The records server's own keys on the local cloud (IAM user with the server role's
    /// policy), issued afresh by a pass without `--server`; the sandbox starts the server with
    /// them. Empty from the pass that records the server's URL (the keys stay as they were).
    pub server_access_key_id: String,
    pub server_secret_access_key: String,
    /// The processing worker's queue (the bucket announces new objects on it).
    pub queue_url: String,
    /// Every seeded name, NHS number, MRN and file name: what no log may contain.
    pub seeded_identifiers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoUserReport {
    pub username: String,
    pub password: String,
    pub role: Option<Role>,
    pub must_change_password: bool,
    /// The authenticator-app secret, for the TOTP demo user.
    pub totp_secret: Option<String>,
}

/// The profile the sandbox is reached with (before the pool ids are known).
pub fn sandbox_profile_file(endpoint: &str) -> ProfileFile {
    ProfileFile {
        region: Some(SANDBOX_REGION.into()),
        bucket: Some(SANDBOX_BUCKET.into()),
        endpoint: Some(endpoint.trim_end_matches('/').into()),
        // Placeholders so the profile resolves while the pool is being made.
        user_pool_id: Some(String::new()),
        client_id: Some(String::new()),
        password_policy: Some(sandbox_password_policy()),
        // moto never checks the password in USER_SRP_AUTH (ARCHITECTURE.md §7): the sandbox signs in
        // with USER_PASSWORD_AUTH so a wrong password is refused as it would be in production.
        auth_flow: Some(chartdesk_signin::AuthFlow::Password),
        ..Default::default()
    }
}

/// Provisions the local cloud at `endpoint` and saves it as the `sandbox` profile.
pub async fn provision(endpoint: &str, folders: &Folders) -> Result<SandboxReport, ProvisionError> {
    provision_with_server(endpoint, None, folders).await
}

/// As `provision`, and records the records server's URL in the profile.
pub async fn provision_with_server(
    endpoint: &str,
    server_url: Option<&str>,
    folders: &Folders,
) -> Result<SandboxReport, ProvisionError> {
    let mut raw = sandbox_profile_file(endpoint);
    raw.server_url = server_url.map(|u| u.trim_end_matches('/').to_string());
    let mut file = ConfigFile::default();
    file.profiles.insert(SANDBOX_PROFILE.into(), raw.clone());
    let profile = chartdesk::config::Profile::resolve(&file, SANDBOX_PROFILE, |_| None)?;
    let clients = CloudClients::new(&profile).await;

    let pool = user_pool::ensure(&clients.cognito).await?;
    let store = clients.store(&profile);
    store.ensure_bucket().await.map_err(|e| match e {
        StoreError::Unreachable => ProvisionError::Unreachable,
        other => other.into(),
    })?;
    // Before the demo documents: every original written from now on is announced to the worker.
    let queue_url = processing_queue::ensure(&clients.shared, &clients.s3, SANDBOX_BUCKET).await?;
    let counts = demo_records::ensure(&store).await?;
    // The server is started with the keys of the first pass; the pass that records its URL
    // must not rotate them under it.
    let server_keys = match server_url {
        None => Some(
            server_identity::ensure_server_user(endpoint, SANDBOX_BUCKET, SANDBOX_BUCKET).await?,
        ),
        Some(_) => None,
    };
    if let Some(url) = server_url {
        // The server serves the browser version too: its pages reach the bucket directly.
        bucket_cors::allow_web_origin(&clients.s3, SANDBOX_BUCKET, url).await?;
    }

    raw.user_pool_id = Some(pool.pool_id.clone());
    raw.client_id = Some(pool.client_id.clone());
    let path = folders.config_file();
    let mut saved = ConfigFile::load(&path)?;
    saved.profiles.insert(SANDBOX_PROFILE.into(), raw);
    saved.save(&path)?;

    Ok(SandboxReport {
        profile: SANDBOX_PROFILE.into(),
        endpoint: profile.endpoint.clone().unwrap_or_default(),
        server_url: server_url.map(str::to_string),
        region: SANDBOX_REGION.into(),
        user_pool_id: pool.pool_id,
        client_id: pool.client_id,
        bucket: SANDBOX_BUCKET.into(),
        queue_url,
        users: demo_users()
            .iter()
            .map(|u| DemoUserReport {
                username: u.username.into(),
                password: u.password.into(),
                role: u.role,
                must_change_password: u.must_change_password,
                totp_secret: u.totp.then(|| pool.totp_secret.clone()).flatten(),
            })
            .collect(),
        patients: counts.patients,
        documents: counts.documents,
        server_access_key_id: server_keys
            .as_ref()
            .map(|k| k.access_key_id.clone())
            .unwrap_or_default(),
        server_secret_access_key: server_keys.map(|k| k.secret_access_key).unwrap_or_default(),
        seeded_identifiers: demo_records::seeded_identifiers(),
    })
}

/// Records the records server's URL in the saved `sandbox` profile and lets its pages (the
/// browser version) reach the bucket: what the launcher does once the server answers. Keeps
/// everything `provision` made as it is (the server's keys included).
pub async fn record_server_url(
    endpoint: &str,
    server_url: &str,
    folders: &Folders,
) -> Result<(), ProvisionError> {
    let server_url = server_url.trim_end_matches('/');
    let path = folders.config_file();
    let mut saved = ConfigFile::load(&path)?;
    let raw = saved
        .profiles
        .entry(SANDBOX_PROFILE.into())
        .or_insert_with(|| sandbox_profile_file(endpoint));
    raw.server_url = Some(server_url.to_string());
    let profile = chartdesk::config::Profile::resolve(&saved, SANDBOX_PROFILE, |_| None)?;
    let clients = CloudClients::new(&profile).await;
    bucket_cors::allow_web_origin(&clients.s3, SANDBOX_BUCKET, server_url).await?;
    saved.save(&path)?;
    Ok(())
}
