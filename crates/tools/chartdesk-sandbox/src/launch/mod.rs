//! The one launcher of the local sandbox: starts the local cloud, provisions it (demo users,
//! patients, documents and the `sandbox` profile), starts the records server as a real process
//! with its least-privilege identity, and stops them all when dropped or stopped — or when this
//! process dies, since no service outlives its watcher (`supervised`).
//!
//! `chartdesk sandbox up --spawn --json` runs it for scripts, benches and the e2e suite; the test
//! kit (`chartdesk-testkit`) runs it for the Rust tests.

pub mod scanner;
mod services;
mod supervised;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

pub use services::{
    free_port, server_env, Programs, Readiness, ScannerSetup, ServerSettings, Service,
    DEFAULT_CLAMD,
};
pub use supervised::{LogTo, ServiceCommand, Supervised};

use super::{provision, record_server_url, ProvisionError, SandboxReport};
use chartdesk::config::Folders;

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("No free loopback port could be found: {0}")]
    NoPort(std::io::Error),
    #[error("Could not start {0}: {1}")]
    Start(&'static str, std::io::Error),
    #[error("Could not write the virus scanner's settings: {0}")]
    ScannerSettings(std::io::Error),
    #[error("{0} did not answer within {1} s (see its log)")]
    NotReady(&'static str, u64),
    #[error(transparent)]
    Provision(#[from] ProvisionError),
}

/// What to start and where.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    pub programs: Programs,
    /// The folders the `sandbox` profile is saved in (and the app's data goes to).
    pub folders: Folders,
    /// Fixed ports; a free one each when unset.
    pub moto_port: Option<u16>,
    pub server_port: Option<u16>,
    pub server: ServerSettings,
    /// A folder for `moto.log` and `server.log`; unset: the services log to stderr.
    pub log_dir: Option<PathBuf>,
    /// How long each service may take to answer.
    pub ready_within: Duration,
}

impl LaunchOptions {
    pub fn new(programs: Programs, folders: Folders) -> Self {
        Self {
            programs,
            folders,
            moto_port: None,
            server_port: None,
            server: ServerSettings::default(),
            log_dir: None,
            ready_within: Duration::from_secs(60),
        }
    }

    fn log_for(&self, file: &str) -> LogTo {
        match &self.log_dir {
            Some(dir) => LogTo::File(dir.join(file)),
            None => LogTo::Stderr,
        }
    }
}

/// What `sandbox up --spawn --json` prints, as one line, once everything answers.
#[derive(Debug, Clone, Serialize)]
pub struct SpawnReport {
    /// Its `server_url` is always set: the records server this launcher started.
    #[serde(flatten)]
    pub sandbox: SandboxReport,
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub demo_patients: Vec<DemoPatientReport>,
}

impl SpawnReport {
    pub fn server_url(&self) -> &str {
        self.sandbox.server_url.as_deref().unwrap_or_default()
    }
}

/// A demo patient as callers find it (all fictional).
#[derive(Debug, Clone, Serialize)]
pub struct DemoPatientReport {
    pub mrn: String,
    pub nhs_number: String,
    pub given_name: String,
    pub family_name: String,
    pub restricted: bool,
    pub superseded: bool,
    pub documents: u32,
}

/// A running sandbox. Dropping it stops every service it started (last started, first stopped).
#[derive(Debug)]
pub struct Sandbox {
    pub report: SpawnReport,
    options: LaunchOptions,
    running: Vec<Supervised>,
    /// Where the sandbox's clamd listens on loopback.
    scanner_port: u16,
    /// The scanner's settings and database; removed after the services stopped (by clamd's
    /// watcher too, should this process be killed).
    _scanner_dir: tempfile::TempDir,
}

impl Sandbox {
    /// Starts and provisions everything; returns once every service answers.
    pub async fn launch(options: LaunchOptions) -> Result<Self, LaunchError> {
        if let Some(dir) = &options.log_dir {
            std::fs::create_dir_all(dir).map_err(|e| LaunchError::Start("the log folder", e))?;
        }
        let moto_port = port_or_free(options.moto_port)?;
        let scanner_dir = tempfile::Builder::new()
            .prefix("chartdesk-scanner-")
            .tempdir()
            .map_err(LaunchError::ScannerSettings)?;
        let scanner_port = port_or_free(None)?;
        let scanner = ScannerSetup {
            port: scanner_port,
            dir: scanner_dir.path().to_path_buf(),
            settings: scanner::prepare(scanner_dir.path(), scanner_port)
                .map_err(LaunchError::ScannerSettings)?,
        };
        let mut running = Vec::new();
        for service in services::cloud_services(&options.programs, moto_port, &scanner) {
            running.push(start(&service, &options).await?);
        }
        let endpoint = format!("http://127.0.0.1:{moto_port}");
        let mut sandbox = provision(&endpoint, &options.folders).await?;

        let server_port = port_or_free(options.server_port)?;
        let server_url = format!("http://127.0.0.1:{server_port}");
        let mut settings = options.server.clone();
        settings.worker = Some(scanner_port);
        let app = services::app_services(&options.programs, &sandbox, server_port, &settings);
        for service in app {
            running.push(start(&service, &options).await?);
        }
        record_server_url(&endpoint, &server_url, &options.folders).await?;
        sandbox.server_url = Some(server_url);

        let report = SpawnReport {
            sandbox,
            config_dir: options.folders.config.clone(),
            data_dir: options.folders.data.clone(),
            demo_patients: demo_patient_reports(),
        };
        Ok(Self {
            report,
            options,
            running,
            scanner_port,
            _scanner_dir: scanner_dir,
        })
    }

    /// Another records server on this sandbox's cloud, with other settings (e.g. one whose audit
    /// bucket is missing); stopped when the returned value is dropped. Returns its URL.
    pub async fn another_server(
        &self,
        settings: &ServerSettings,
    ) -> Result<(RunningServer, String), LaunchError> {
        let port = port_or_free(None)?;
        let mut started = Vec::new();
        for service in
            services::app_services(&self.options.programs, &self.report.sandbox, port, settings)
        {
            started.push(start(&service, &self.options).await?);
        }
        Ok((
            RunningServer {
                _processes: started,
            },
            format!("http://127.0.0.1:{port}"),
        ))
    }

    /// The sandbox's virus scanner (clamd's INSTREAM), as `host:port`.
    pub fn scanner_addr(&self) -> String {
        format!("127.0.0.1:{}", self.scanner_port)
    }

    /// The first service that stopped on its own, if any.
    pub fn exited(&mut self) -> Option<&'static str> {
        self.running
            .iter_mut()
            .find_map(|s| (!s.is_running()).then(|| s.name()))
    }

    /// Stops every service, last started first, and waits for each to be gone.
    pub fn stop(mut self) {
        self.stop_all();
    }

    fn stop_all(&mut self) {
        while let Some(mut service) = self.running.pop() {
            service.stop(Duration::from_secs(10));
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// A records server started by `Sandbox::another_server`; stopped when dropped.
#[derive(Debug)]
pub struct RunningServer {
    _processes: Vec<Supervised>,
}

async fn start(service: &Service, options: &LaunchOptions) -> Result<Supervised, LaunchError> {
    start_service(
        service,
        &options.log_for(service.log_file),
        options.ready_within,
    )
    .await
}

/// Starts one service under its watcher and returns once it answers (stopped again if it does
/// not within `ready_within`). For a process a test needs beside the sandbox, e.g. a second S3.
pub async fn start_service(
    service: &Service,
    log: &LogTo,
    ready_within: Duration,
) -> Result<Supervised, LaunchError> {
    let mut process = Supervised::spawn(service.name, &service.command, log)
        .map_err(|e| LaunchError::Start(service.name, e))?;
    let ready =
        services::wait_until_ready(&service.ready, ready_within, || process.is_running()).await;
    if !ready {
        return Err(LaunchError::NotReady(service.name, ready_within.as_secs()));
    }
    tracing::info!(service = service.name, "answers");
    Ok(process)
}

fn port_or_free(port: Option<u16>) -> Result<u16, LaunchError> {
    match port {
        Some(p) => Ok(p),
        None => free_port().map_err(LaunchError::NoPort),
    }
}

fn demo_patient_reports() -> Vec<DemoPatientReport> {
    super::demo_patients()
        .iter()
        .map(|p| DemoPatientReport {
            mrn: p.mrn.into(),
            nhs_number: p.nhs_number.into(),
            given_name: p.given_name.into(),
            family_name: p.family_name.into(),
            restricted: p.restricted,
            superseded: p.superseded,
            documents: p.documents.iter().map(|&n| u32::from(n)).sum(),
        })
        .collect()
}
