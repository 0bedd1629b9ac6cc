//! The processes a sandbox runs, as two lists: what the cloud needs before it is provisioned
//! (moto), and what needs the provisioned pool and keys (the records server). A later service
//! (a scanner, a worker) is one more entry in one of the lists.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::supervised::ServiceCommand;
use crate::SandboxReport;

/// One process of the sandbox and how to tell it answers.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: &'static str,
    /// Its log's name in the launcher's log folder.
    pub log_file: &'static str,
    pub command: ServiceCommand,
    pub ready: Readiness,
}

#[derive(Debug, Clone)]
pub enum Readiness {
    /// Accepts TCP connections on this loopback port.
    Port(u16),
    /// Answers 200 to a GET of this URL.
    Health(String),
}

/// Where the programs are.
#[derive(Debug, Clone)]
pub struct Programs {
    /// `moto_server` (from the setup script's venv).
    pub moto: PathBuf,
    /// The `chartdesk-server` binary.
    pub server: PathBuf,
    /// ClamAV's daemon (Debian's `clamav-daemon`: `/usr/sbin/clamd`).
    pub clamd: PathBuf,
}

/// Where Debian installs clamd (outside a normal user's PATH).
pub const DEFAULT_CLAMD: &str = "/usr/sbin/clamd";

/// The scanner's port and the settings file `scanner::prepare` wrote.
#[derive(Debug, Clone)]
pub struct ScannerSetup {
    pub port: u16,
    pub settings: PathBuf,
    /// The folder holding the settings and the database.
    pub dir: PathBuf,
}

/// The services started before provisioning: the local cloud and the virus scanner.
pub fn cloud_services(programs: &Programs, moto_port: u16, scanner: &ScannerSetup) -> Vec<Service> {
    let clamd = Service {
        name: "virus scanner (clamd)",
        log_file: "clamd.log",
        command: ServiceCommand {
            program: programs.clamd.clone(),
            args: vec![format!("--config-file={}", scanner.settings.display())],
            // Its settings and database (the launcher's temp folder) go when it stops.
            env: vec![(
                super::supervised::REMOVE_AFTER_STOP.to_string(),
                scanner.dir.display().to_string(),
            )],
            env_remove: vec![],
        },
        ready: Readiness::Port(scanner.port),
    };
    let moto = Service {
        name: "moto",
        log_file: "moto.log",
        command: ServiceCommand {
            program: programs.moto.clone(),
            args: vec![
                "-H".into(),
                "127.0.0.1".into(),
                "-p".into(),
                moto_port.to_string(),
            ],
            // moto checks authenticator codes only when asked to.
            env: vec![(
                "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP".into(),
                "true".into(),
            )],
            env_remove: vec![],
        },
        ready: Readiness::Port(moto_port),
    };
    vec![moto, clamd]
}

/// What the records server gets besides the pool and its keys.
#[derive(Debug, Clone, Default)]
pub struct ServerSettings {
    /// The built UI to serve at `/` (the browser version), if any.
    pub web_root: Option<PathBuf>,
    /// More `CHARTDESK_*` settings (e.g. a short idle lock, another audit bucket).
    pub env: Vec<(String, String)>,
    /// Run the processing worker beside the API, polling the sandbox's queue with the
    /// sandbox's scanner: the sandbox's own server does; a second one for a test need not.
    pub worker: Option<u16>,
}

/// What every records server of the sandbox is given: where the cloud is, and the server's own
/// least-privilege keys.
pub fn server_env(report: &SandboxReport) -> Vec<(String, String)> {
    [
        ("CHARTDESK_BUCKET", report.bucket.as_str()),
        ("CHARTDESK_USER_POOL_ID", &report.user_pool_id),
        ("CHARTDESK_APP_CLIENT_ID", &report.client_id),
        ("AWS_REGION", &report.region),
        ("AWS_ENDPOINT_URL", &report.endpoint),
        ("AWS_ACCESS_KEY_ID", &report.server_access_key_id),
        ("AWS_SECRET_ACCESS_KEY", &report.server_secret_access_key),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The services that need the provisioned cloud: the records server, with the least-privilege
/// identity provisioning issued (the server role's policy), never the sandbox's admin keys.
pub fn app_services(
    programs: &Programs,
    report: &SandboxReport,
    server_port: u16,
    settings: &ServerSettings,
) -> Vec<Service> {
    let mut env = server_env(report);
    if let Some(root) = &settings.web_root {
        env.push((
            "CHARTDESK_WEB_ROOT".into(),
            root.to_string_lossy().into_owned(),
        ));
    }
    if let Some(clamd_port) = settings.worker {
        env.extend([
            ("CHARTDESK_QUEUE_URL".to_string(), report.queue_url.clone()),
            ("CHARTDESK_SCANNER".to_string(), "clamav".to_string()),
            (
                "CHARTDESK_CLAMD_ADDR".to_string(),
                format!("127.0.0.1:{clamd_port}"),
            ),
            // A notice that failed (an original that landed before its upload completed)
            // comes back within seconds, not the queue's minute.
            ("CHARTDESK_RETRY_SECONDS".to_string(), "1".to_string()),
        ]);
    }
    env.extend(settings.env.iter().cloned());
    vec![Service {
        name: "records server",
        log_file: "server.log",
        command: ServiceCommand {
            program: programs.server.clone(),
            args: vec!["--listen".into(), format!("127.0.0.1:{server_port}")],
            env,
            // A plain process, whatever the launcher's shell holds.
            env_remove: ["AWS_LAMBDA_RUNTIME_API", "AWS_SESSION_TOKEN", "AWS_PROFILE"]
                .map(String::from)
                .to_vec(),
        },
        ready: Readiness::Health(format!("http://127.0.0.1:{server_port}/v1/health")),
    }]
}

/// Waits until `ready` holds; false once `timeout` has passed or `alive` says the process is gone.
pub async fn wait_until_ready(
    ready: &Readiness,
    timeout: Duration,
    mut alive: impl FnMut() -> bool,
) -> bool {
    let deadline = Instant::now() + timeout;
    let http = reqwest::Client::new();
    loop {
        let ok = match ready {
            Readiness::Port(port) => tokio::net::TcpStream::connect(("127.0.0.1", *port))
                .await
                .is_ok(),
            Readiness::Health(url) => http
                .get(url)
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success()),
        };
        if ok {
            return true;
        }
        if Instant::now() >= deadline || !alive() {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A loopback port nothing listens on now (the OS picks it).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> SandboxReport {
        SandboxReport {
            profile: "sandbox".into(),
            endpoint: "http://127.0.0.1:5000".into(),
            server_url: None,
            region: "us-east-1".into(),
            user_pool_id: "pool".into(),
            client_id: "client".into(),
            bucket: "bucket".into(),
            users: vec![],
            patients: 0,
            documents: 0,
            server_access_key_id: "AKIASERVERROLE".into(),
            server_secret_access_key: "server-role-secret".into(),
            queue_url: "http://127.0.0.1:5000/123456789012/chartdesk-process".into(),
            seeded_identifiers: vec![],
        }
    }

    fn programs() -> Programs {
        Programs {
            moto: "moto_server".into(),
            server: "chartdesk-server".into(),
            clamd: DEFAULT_CLAMD.into(),
        }
    }

    fn env_of<'a>(service: &'a Service, key: &str) -> Vec<&'a str> {
        let env = &service.command.env;
        env.iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn the_records_server_signs_with_the_server_roles_keys_never_the_sandbox_admins() {
        let services = app_services(&programs(), &report(), 4000, &ServerSettings::default());
        let server = &services[0];
        assert_eq!(env_of(server, "AWS_ACCESS_KEY_ID"), ["AKIASERVERROLE"]);
        assert_eq!(
            env_of(server, "AWS_SECRET_ACCESS_KEY"),
            ["server-role-secret"]
        );
        let admin = chartdesk::cloud::SANDBOX_ACCESS_KEY;
        assert!(server.command.env.iter().all(|(_, v)| v != admin));
        assert!(
            matches!(&server.ready, Readiness::Health(url) if url.ends_with(":4000/v1/health"))
        );
    }

    #[test]
    fn moto_checks_authenticator_codes() {
        let scanner = ScannerSetup {
            port: 5001,
            settings: "clamd.conf".into(),
            dir: "scanner".into(),
        };
        let services = cloud_services(&programs(), 5000, &scanner);
        assert_eq!(
            env_of(&services[0], "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"),
            ["true"]
        );
    }
}
