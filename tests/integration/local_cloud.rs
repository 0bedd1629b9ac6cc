//! The local cloud the tests share: moto's server on a free loopback port, provisioned once.
//!
//! `CHARTDESK_TEST_ENDPOINT` names an already-running instance instead; otherwise moto_server is
//! found via `CHARTDESK_MOTO_SERVER`, the setup script's venv, or PATH.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chartdesk::auth::KeychainBackend;
use chartdesk::cloud::object_store::Write;
use chartdesk::cloud::{CloudClients, ObjectStore};
use chartdesk::config::{Folders, Profile};
use chartdesk::domain::{keys, Category, DocumentEntry, DocumentStatus, Manifest, Mrn, ScanStatus};
use chartdesk::sandbox::demo_pdf;
use chartdesk::sandbox::{provision, SandboxReport, SANDBOX_PROFILE};
use chartdesk::services::system_clock;
use chartdesk::Services;

pub struct LocalCloud {
    pub endpoint: String,
    /// The records server (a real `chartdesk-server` process) every profile goes through.
    pub server_url: String,
    pub folders: Folders,
    pub report: SandboxReport,
    _dir: tempfile::TempDir,
    /// The watcher that stops moto when this process ends (None for an external endpoint).
    _moto: Option<Child>,
    /// The watcher that stops the records server when this process ends.
    _server: Child,
}

static CLOUD: OnceLock<LocalCloud> = OnceLock::new();

/// The provisioned local cloud (started and provisioned on first use).
pub fn cloud() -> &'static LocalCloud {
    CLOUD.get_or_init(|| {
        let (endpoint, moto) = match std::env::var("CHARTDESK_TEST_ENDPOINT") {
            Ok(e) if !e.is_empty() => (e, None),
            _ => {
                let (endpoint, child) = start_moto();
                (endpoint, Some(child))
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let folders = Folders {
            config: dir.path().join("config"),
            data: dir.path().join("data"),
        };
        // Provision on a runtime of its own: each test has its own runtime and clients.
        let report = std::thread::scope(|s| {
            s.spawn(|| {
                tokio::runtime::Runtime::new()
                    .unwrap()
                    .block_on(provision(&endpoint, &folders))
                    .expect("provisioning the local cloud")
            })
            .join()
            .unwrap()
        });
        let (server_url, server) = start_server(&endpoint, &report, "");
        LocalCloud {
            endpoint,
            server_url,
            folders,
            report,
            _dir: dir,
            _moto: moto,
            _server: server,
        }
    })
}

impl LocalCloud {
    /// The sandbox profile, through the records server.
    pub fn profile(&self) -> Profile {
        let mut profile = Profile::load(&self.folders, SANDBOX_PROFILE).unwrap();
        profile.server_url = Some(self.server_url.clone());
        profile
    }

    /// The bucket as an administrator reaches it (the sandbox's keys): for seeding records and
    /// checking what the server wrote. The app itself has no such access.
    pub async fn admin_store(&self) -> ObjectStore {
        let profile = Profile::load(&self.folders, SANDBOX_PROFILE).unwrap();
        CloudClients::new(&profile).await.store(&profile)
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
        let user = self
            .report
            .users
            .iter()
            .find(|u| u.username == username)
            .unwrap();
        services
            .sign_in(&user.username, &user.password)
            .await
            .unwrap();
        services
    }
}

/// The server binary `cargo test --workspace` built beside this test binary.
fn server_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("CHARTDESK_SERVER_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/integration-… → target/debug/chartdesk-server
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("chartdesk-server")
}

/// Starts the records server with the server identity's keys (as the sandbox does), watched;
/// `settings` are more `NAME=value` environment assignments (shell-quoted) for it.
pub fn start_server(endpoint: &str, report: &SandboxReport, settings: &str) -> (String, Child) {
    let port = free_port();
    let command = format!(
        "{settings} CHARTDESK_BUCKET={bucket} CHARTDESK_USER_POOL_ID={pool} CHARTDESK_APP_CLIENT_ID={client} \
         CHARTDESK_OPEN_PENDING_SCANS=true \
         AWS_REGION={region} AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID={key} AWS_SECRET_ACCESS_KEY={secret} \
         {bin} --listen 127.0.0.1:{port}",
        bucket = report.bucket,
        pool = report.user_pool_id,
        client = report.client_id,
        region = report.region,
        key = report.server_access_key_id,
        secret = report.server_secret_access_key,
        bin = server_bin().display(),
    );
    let watcher = start_watched(&command, port)
        .expect("starting chartdesk-server (built by cargo test --workspace)");
    (format!("http://127.0.0.1:{port}"), watcher)
}

fn moto_server() -> PathBuf {
    if let Some(p) = std::env::var_os("CHARTDESK_MOTO_SERVER") {
        return p.into();
    }
    let venv = std::env::var_os("CHARTDESK_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/chartdesk")))
        .map(|c| c.join("venv/bin/moto_server"));
    match venv {
        Some(p) if p.exists() => p,
        _ => "moto_server".into(),
    }
}

/// Starts moto on a free port, watched by a shell that stops it when this test process ends.
fn start_moto() -> (String, Child) {
    let port = free_port();
    let command = format!(
        "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true {moto} -H 127.0.0.1 -p {port}",
        moto = moto_server().display()
    );
    let watcher = start_watched(&command, port)
        .expect("starting moto_server on loopback (run scripts/setup.sh first)");
    (format!("http://127.0.0.1:{port}"), watcher)
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

/// Runs `command` (a server listening on `port`) under a shell that stops it when this test
/// process ends; returns once the port accepts connections, `None` if it never does.
pub fn start_watched(command: &str, port: u16) -> Option<Child> {
    let script = format!(
        "{command} >/dev/null 2>&1 & s=$!; \
         while kill -0 {pid} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 0.5; done; kill $s 2>/dev/null",
        pid = std::process::id()
    );
    let watcher = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(watcher)
}

/// Runs the `chartdesk` CLI against this cloud's config folders, signing in with `password`.
pub fn run_cli(args: &[&str], password: &str) -> std::process::Output {
    let c = cloud();
    Command::new(env!("CARGO_BIN_EXE_chartdesk"))
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
    let store = cloud().admin_store().await;
    let mrn = Mrn::from_stored(mrn).unwrap();
    store
        .put_json(&keys::patient(&mrn), &test_patient(&mrn), Write::Create)
        .await
        .unwrap();
    let mut manifest = Manifest::new();
    for &category in categories {
        let id = uuid::Uuid::now_v7();
        let pdf = demo_pdf("Seeded report", "Integration test document");
        let key = keys::original(&mrn, category, id, "pdf");
        store
            .put_bytes(&key, pdf.clone(), "application/pdf", Write::Create)
            .await
            .unwrap();
        manifest.documents.push(DocumentEntry {
            id,
            category,
            file_name: format!("{}-seeded.pdf", category.id()),
            content_type: "application/pdf".into(),
            size: pdf.len() as u64,
            sha256: chartdesk::domain::sha256_hex(&pdf),
            created: time::OffsetDateTime::now_utc(),
            uploaded_by: "nurse.hughes".into(),
            variants: vec![],
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Clean,
            status_change: None,
        });
    }
    store
        .put_json(&keys::manifest(&mrn), &manifest, Write::Create)
        .await
        .unwrap();
}

/// A patient record for a seeded MRN: its NHS number made from the MRN's digits (valid, so the
/// server accepts it; no NHS lookup points at it, so no other test finds it by number).
fn test_patient(mrn: &Mrn) -> chartdesk::domain::Patient {
    let mut digits: Vec<u32> = mrn
        .as_ref()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    digits.insert(0, 9);
    digits.resize(9, 0);
    while chartdesk::domain::check_digit(&digits).is_none() {
        digits[8] = (digits[8] + 1) % 10;
    }
    let check = chartdesk::domain::check_digit(&digits).unwrap();
    let nhs: String = digits
        .iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect();
    serde_json::from_value(serde_json::json!({
        "mrn": mrn.as_ref(),
        "nhs_number": nhs,
        "given_name": "Seeded",
        "family_name": "Testpatient",
        "birth_date": "1970-01-01",
        "postcode": "ZZ99 3ZZ",
    }))
    .unwrap()
}

/// Every audit event in the bucket, each once (its day copy; the per-patient index holds the
/// same events), as JSON.
pub async fn audit_events() -> Vec<serde_json::Value> {
    let store = cloud().admin_store().await;
    let mut events = Vec::new();
    for key in store.list_keys("audit/").await.unwrap() {
        // Each event once: its day's copy (`audit/{yyyy}/…`), not the per-patient copy or the
        // replay markers of offline views.
        if !key["audit/".len()..].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let (bytes, _) = store.get_bytes(&key).await.unwrap().unwrap();
        events.push(serde_json::from_slice(&bytes).unwrap());
    }
    events
}
