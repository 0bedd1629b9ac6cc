//! The local cloud the tests share: the test kit's sandbox (`chartdesk-testkit`, the launcher
//! behind `chartdesk sandbox up --spawn`), started once per test process.

use std::net::TcpListener;
use std::process::Command;

use chartdesk::auth::KeychainBackend;
use chartdesk::config::Profile;
use chartdesk::services::system_clock;
use chartdesk::Services;
use chartdesk_domain::Category;
use chartdesk_records::store::ObjectStore;

/// The test kit's shared sandbox (moto provisioned with TOTP, the records server as a real
/// process with its least-privilege keys), with what the core's tests build on it: `Services`.
pub struct LocalCloud(&'static chartdesk_testkit::Cloud);

impl std::ops::Deref for LocalCloud {
    type Target = chartdesk_testkit::Cloud;
    fn deref(&self) -> &Self::Target {
        self.0
    }
}

/// The provisioned local cloud (started and provisioned on first use).
pub fn cloud() -> &'static LocalCloud {
    static CLOUD: std::sync::OnceLock<LocalCloud> = std::sync::OnceLock::new();
    CLOUD.get_or_init(|| LocalCloud(chartdesk_testkit::cloud()))
}

impl LocalCloud {
    /// The sandbox profile, through the records server.
    pub fn profile(&self) -> Profile {
        let mut profile = self.0.profile();
        profile.server_url = Some(self.server_url.clone());
        profile
    }

    /// The bucket as an administrator reaches it (the sandbox's keys): for seeding records and
    /// checking what the server wrote. The app itself has no such access.
    pub async fn admin_store(&self) -> ObjectStore {
        self.0.admin_store().await
    }

    pub async fn services(&self) -> Services {
        Services::new(self.profile(), system_clock()).await
    }

    /// Services as the desktop builds them: sessions remembered in the kernel keyring, under a
    /// profile name of the test's own so parallel tests never share keychain entries.
    pub async fn remembering_app(&self, profile_name: &str) -> Services {
        let mut profile = self.profile();
        profile.name = profile_name.to_string();
        profile.keychain = KeychainBackend::Keyutils;
        Services::new(profile, system_clock())
            .await
            .remembering_sessions()
    }

    /// Services signed in as the demo user `username`.
    pub async fn signed_in(&self, username: &str) -> Services {
        self.signed_in_with(self.profile(), username).await
    }

    /// Services for `profile` (this cloud's, adjusted by the test), signed in as `username`.
    pub async fn signed_in_with(&self, profile: Profile, username: &str) -> Services {
        let services = Services::new(profile, system_clock()).await;
        services
            .sign_in(username, self.password(username))
            .await
            .unwrap();
        services
    }
}

/// Whether `bytes` hold something shaped like a JWT (header.payload.). Not just "eyJ": an
/// encrypted cache is random bytes, which hold those three letters now and then.
pub fn holds_a_jwt(bytes: &[u8]) -> bool {
    static JWT: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    JWT.get_or_init(|| {
        regex::bytes::Regex::new(r"eyJ[A-Za-z0-9_-]{16,}\.eyJ[A-Za-z0-9_-]{16,}\.").unwrap()
    })
    .is_match(bytes)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the `chartdesk` CLI against this cloud's config folders, signing in with `password`.
pub fn run_cli(args: &[&str], password: &str) -> std::process::Output {
    let c = cloud();
    Command::new(chartdesk_testkit::command_line())
        .args(args)
        .env("CHARTDESK_CONFIG_DIR", &c.folders.config)
        .env("CHARTDESK_DATA_DIR", &c.folders.data)
        .env("CHARTDESK_PASSWORD", password)
        .env("CHARTDESK_SERVER_URL", &c.server_url)
        .output()
        .unwrap()
}

/// A loopback endpoint where nothing listens: the cloud is "down".
pub fn dead_endpoint() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

/// Writes a patient record of the test's own (a PDF per category given), so a test that
/// changes documents never races the tests that count the demo patients' documents.
pub async fn seed_patient(mrn: &str, categories: &[Category]) {
    cloud().seed_patient(mrn, categories).await;
}

/// Every audit event in the bucket, each once (its day copy; the per-patient index holds the
/// same events), as JSON.
pub async fn audit_events() -> Vec<serde_json::Value> {
    cloud().audit_events().await
}
