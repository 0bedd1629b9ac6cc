//! The test kit: the local cloud (moto with TOTP, provisioned with the demo users, patients and
//! documents) and the records server as a real process with its least-privilege identity,
//! started by the same launcher as `chartdesk sandbox up --spawn` — once per test process,
//! from any test's thread or runtime — plus what tests ask of it: passwords and tokens for a
//! demo user, a patient of the test's own, the bucket as an administrator sees it.
//!
//! Everything it starts stops when the test process ends, however it ends.
//!
//! For a suite moving onto it (the server's real-process tests): `cloud()` is the shared
//! sandbox (`endpoint`, `server_url`, `report`); `Cloud::another_server(ServerSettings { env,
//! web_root })` a server with other settings (another audit bucket, a web root, allowed
//! origins), on the same least-privilege identity; `Cloud::tokens(user)` / `tokens_for_client`
//! a demo user's access, ID and refresh tokens; `Cloud::seed_patient(mrn, categories)` a record
//! of the test's own; `Cloud::admin_store()` the bucket as an administrator sees it;
//! `start_on_port` any other process (a second moto, s3s-fs) under the same watcher.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod programs;
mod scratch;
mod seed;
mod tokens;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chartdesk::cloud::CloudClients;
use chartdesk::config::{Folders, Profile};
use chartdesk_domain::{DocumentEntry, Mrn, ProcessingState, SharedEntry};
use chartdesk_records::store::ObjectStore;
use chartdesk_sandbox::launch::{
    start_service, LaunchOptions, LogTo, Readiness, RunningServer, Sandbox, ServerSettings,
    Service, ServiceCommand, Supervised,
};
use chartdesk_sandbox::{SandboxReport, SANDBOX_PROFILE};

pub use programs::{command_line, programs};

/// The sandbox administrator's access key and secret (the local cloud's only): for a process a
/// test starts with more than the server's least-privilege identity.
pub const ADMIN_KEYS: (&str, &str) = (
    chartdesk::cloud::SANDBOX_ACCESS_KEY,
    chartdesk::cloud::SANDBOX_SECRET_KEY,
);
pub use scratch::{scratch, tempdir};
pub use tokens::Tokens;

/// A running, provisioned sandbox in temp folders of its own.
pub struct Cloud {
    /// moto's endpoint (S3, Cognito, IAM).
    pub endpoint: String,
    /// The records server (a real `chartdesk-server` process).
    pub server_url: String,
    /// Where the `sandbox` profile is saved.
    pub folders: Folders,
    /// What provisioning made (pool, client, demo users and their passwords, server keys).
    pub report: SandboxReport,
    sandbox: Sandbox,
    _dir: tempfile::TempDir,
}

/// The local cloud this test process shares (started on first use).
pub fn cloud() -> &'static Cloud {
    static CLOUD: OnceLock<Cloud> = OnceLock::new();
    CLOUD.get_or_init(|| {
        // Files over 8 MiB go in parts (the default is 64 MiB), so the multipart and resume
        // tests stay small; a test of the default starts `another_server`.
        let env = vec![(
            "CHARTDESK_MULTIPART_THRESHOLD_MIB".to_string(),
            "8".to_string(),
        )];
        Cloud::start(ServerSettings {
            env,
            ..Default::default()
        })
    })
}

/// Starts `program args` (a server that will listen on loopback `port`) under the launcher's
/// watcher, so it stops when this test process ends; returns once the port accepts
/// connections, `None` if it never does. For a process beside the sandbox (a second S3).
pub fn start_on_port(
    name: &'static str,
    program: &std::path::Path,
    args: &[&str],
    port: u16,
) -> Option<Supervised> {
    let service = Service {
        name,
        log_file: "other.log",
        command: ServiceCommand {
            program: program.to_path_buf(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: vec![],
            env_remove: vec![],
        },
        ready: Readiness::Port(port),
    };
    on_own_runtime(start_service(
        &service,
        &LogTo::Nowhere,
        std::time::Duration::from_secs(30),
    ))
    .ok()
}

/// Runs `work` on a runtime of its own, on a thread of its own: callable from a test's runtime
/// (a nested `block_on` would panic) and from plain code alike.
fn on_own_runtime<T: Send>(work: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| tokio::runtime::Runtime::new().unwrap().block_on(work))
            .join()
            .unwrap()
    })
}

impl Cloud {
    /// Starts a sandbox of its own (most tests share `cloud()` instead), its server with
    /// `server` settings; it stops when dropped.
    pub fn start(server: ServerSettings) -> Cloud {
        let dir = scratch::tempdir();
        let folders = Folders {
            config: dir.path().join("config"),
            data: dir.path().join("data"),
        };
        let mut options = LaunchOptions::new(programs(), folders.clone());
        options.server = server;
        // The services' logs stay out of the test output.
        options.log_dir = Some(dir.path().join("logs"));
        let sandbox = on_own_runtime(Sandbox::launch(options))
            .expect("starting the sandbox (moto from scripts/setup.sh; chartdesk-server built by cargo build --workspace)");
        let report = sandbox.report.sandbox.clone();
        Cloud {
            endpoint: report.endpoint.clone(),
            server_url: sandbox.report.server_url().to_string(),
            folders,
            report,
            sandbox,
            _dir: dir,
        }
    }

    /// Stops everything this sandbox started (as dropping it does).
    pub fn stop(self) {
        drop(self);
    }

    /// The running sandbox, for its async calls (e.g. `another_server` from a runtime whose
    /// own tasks the new server must reach).
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The folder holding `moto.log` and `server.log`.
    pub fn log_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("logs")
    }

    /// Another records server on this cloud with other settings (e.g. another audit bucket);
    /// stopped when the returned value is dropped. Returns its URL too.
    pub fn another_server(&self, settings: ServerSettings) -> (RunningServer, String) {
        on_own_runtime(self.sandbox.another_server(&settings)).expect("starting another server")
    }

    /// The saved `sandbox` profile (through the records server).
    pub fn profile(&self) -> Profile {
        Profile::load(&self.folders, SANDBOX_PROFILE).unwrap()
    }

    /// A demo user's password, from the sandbox (the one place it is written).
    pub fn password(&self, username: &str) -> &str {
        &self
            .report
            .users
            .iter()
            .find(|u| u.username == username)
            .unwrap_or_else(|| panic!("no demo user {username}"))
            .password
    }

    /// The bucket as an administrator reaches it (the sandbox's keys): for seeding records and
    /// checking what the server wrote. Neither the apps nor the server have such access.
    pub async fn admin_store(&self) -> ObjectStore {
        let profile = self.profile();
        CloudClients::new(&profile).await.store(&profile)
    }

    /// The local cloud's SDK clients as an administrator has them (the sandbox's keys): for a
    /// bucket or queue a test sets up by hand.
    pub async fn admin_clients(&self) -> CloudClients {
        CloudClients::new(&self.profile()).await
    }

    /// A document's entry once the sandbox's worker recorded its outcome (within 60 s, else the
    /// test fails): until then nothing of an upload is handed out, so a test that opens what it
    /// uploaded waits here first, as a user waits for "Checking for viruses…" to clear.
    pub async fn processed(&self, mrn: &str, id: &str) -> DocumentEntry {
        let store = self.admin_store().await;
        let record = Mrn::from_stored(mrn).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let manifest = chartdesk_records::read_manifest(&store, &record)
                .await
                .unwrap();
            let entry = manifest.and_then(|m| {
                m.value
                    .documents
                    .into_iter()
                    .find(|d| d.id.to_string() == id)
                    .map(SharedEntry::into_entry)
            });
            let done = |e: &DocumentEntry| {
                e.processing
                    .as_ref()
                    .is_some_and(|p| p.state != ProcessingState::Queued)
            };
            if let Some(entry) = entry.filter(done) {
                return entry;
            }
            assert!(
                Instant::now() < deadline,
                "the worker recorded nothing for {id}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every audit event in the bucket, each once (its day copy), as JSON.
    pub async fn audit_events(&self) -> Vec<serde_json::Value> {
        let store = self.admin_store().await;
        let mut events = Vec::new();
        for key in store.list_keys("audit/").await.unwrap() {
            // Only `audit/{yyyy}/…`: not the per-patient copies or the offline replay markers.
            if !key["audit/".len()..].starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            let (bytes, _) = store.get_bytes(&key).await.unwrap().unwrap();
            events.push(serde_json::from_slice(&bytes).unwrap());
        }
        events
    }
}
