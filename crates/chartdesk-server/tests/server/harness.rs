//! The local cloud (moto, provisioned by the core's sandbox code) and the server binary, each
//! started once per test process on a free loopback port; the server is waited for on
//! `/v1/health`, never a sleep.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use chartdesk::config::Folders;
use chartdesk::sandbox::{provision, SandboxReport, SANDBOX_BUCKET, SANDBOX_REGION};
use chartdesk_records::store::ObjectStore;
use serde_json::Value;

pub struct Cloud {
    pub endpoint: String,
    pub report: SandboxReport,
    pub server: String,
    _dir: tempfile::TempDir,
    _processes: Vec<Killed>,
}

/// A child process stopped when it goes out of scope, or, for the processes the shared
/// statics hold (never dropped), by a watcher when this test process ends.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

impl Killed {
    /// Also stops the child when this test process ends (statics are never dropped).
    fn outliving_nothing(child: Child) -> Self {
        let script = format!(
            "while kill -0 {me} 2>/dev/null && kill -0 {it} 2>/dev/null; do sleep 0.5; done; kill {it} 2>/dev/null",
            me = std::process::id(),
            it = child.id()
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        Self(child)
    }
}

static CLOUD: OnceLock<Cloud> = OnceLock::new();

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn moto_server() -> PathBuf {
    if let Ok(p) = std::env::var("CHARTDESK_MOTO_SERVER") {
        return p.into();
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let cache = std::env::var("CHARTDESK_CACHE").unwrap_or(format!("{home}/.cache/chartdesk"));
    let venv = PathBuf::from(cache).join("venv/bin/moto_server");
    if venv.exists() {
        venv
    } else {
        "moto_server".into()
    }
}

pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "port {port} never opened");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn cloud() -> &'static Cloud {
    CLOUD.get_or_init(|| {
        let port = free_port();
        let moto = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting moto_server (run scripts/setup.sh first)");
        let moto = Killed::outliving_nothing(moto);
        wait_for_port(port);
        let endpoint = format!("http://127.0.0.1:{port}");
        let dir = tempfile::tempdir().unwrap();
        let folders = Folders {
            config: dir.path().join("config"),
            data: dir.path().join("data"),
        };
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
        // No scanner runs here: unchecked files may be opened (production blocks them).
        let (server, url) = start_server(
            &endpoint,
            &report,
            &[("CHARTDESK_OPEN_PENDING_SCANS", "true")],
        );
        Cloud {
            endpoint,
            report,
            server: url,
            _dir: dir,
            _processes: vec![moto, server],
        }
    })
}

/// Starts another server process against the same cloud, with `extra` settings.
pub fn start_server(
    endpoint: &str,
    report: &SandboxReport,
    extra: &[(&str, &str)],
) -> (Killed, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartdesk-server"));
    cmd.args(["--listen", "127.0.0.1:0"])
        .env("CHARTDESK_BUCKET", SANDBOX_BUCKET)
        .env("CHARTDESK_USER_POOL_ID", &report.user_pool_id)
        .env("CHARTDESK_APP_CLIENT_ID", &report.client_id)
        .env("AWS_REGION", SANDBOX_REGION)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("CHARTDESK_LOCAL_CLOUD", "true")
        .env("AWS_ACCESS_KEY_ID", chartdesk::cloud::SANDBOX_ACCESS_KEY)
        .env(
            "AWS_SECRET_ACCESS_KEY",
            chartdesk::cloud::SANDBOX_SECRET_KEY,
        )
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("starting chartdesk-server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ok = reqwest::blocking_get_ok(&format!("{url}/v1/health"));
        if ok {
            break;
        }
        assert!(Instant::now() < deadline, "server never became healthy");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Killed::outliving_nothing(child), url)
}

/// A second server whose audit bucket does not exist: every audited action must be refused.
pub fn server_with_broken_audit() -> &'static str {
    static BROKEN: OnceLock<(Killed, String)> = OnceLock::new();
    let c = cloud();
    &BROKEN
        .get_or_init(|| {
            start_server(
                &c.endpoint,
                &c.report,
                &[("CHARTDESK_AUDIT_BUCKET", "no-such-audit-bucket")],
            )
        })
        .1
}

/// A server that serves a UI folder (one `index.html`) and allows one other origin, as the
/// browser version runs.
pub fn web_server() -> &'static str {
    static WEB: OnceLock<(Killed, String, tempfile::TempDir)> = OnceLock::new();
    let c = cloud();
    &WEB.get_or_init(|| {
        let ui = tempfile::tempdir().unwrap();
        std::fs::write(
            ui.path().join("index.html"),
            "<!doctype html><title>Chartdesk</title><script type=module src=/app.js></script>",
        )
        .unwrap();
        let root = ui.path().to_string_lossy().into_owned();
        let (server, url) = start_server(
            &c.endpoint,
            &c.report,
            &[
                ("CHARTDESK_WEB_ROOT", root.as_str()),
                ("CHARTDESK_ALLOWED_ORIGINS", ALLOWED_ORIGIN),
                ("CHARTDESK_OPEN_PENDING_SCANS", "true"),
            ],
        );
        (server, url, ui)
    })
    .1
}

pub const ALLOWED_ORIGIN: &str = "http://allowed.example";

/// Health checks without an async runtime (the harness runs outside the tests' runtimes).
mod reqwest {
    pub fn blocking_get_ok(url: &str) -> bool {
        let Some(rest) = url.strip_prefix("http://") else {
            return false;
        };
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(host) else {
            return false;
        };
        let req = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        if s.write_all(req.as_bytes()).is_err() {
            return false;
        }
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.1 200")
    }
}

pub fn password_of(user: &str) -> String {
    cloud()
        .report
        .users
        .iter()
        .find(|u| u.username == user)
        .map(|u| u.password.clone())
        .unwrap()
}

/// (access token, id token) for a demo user, signed in through moto's Cognito.
pub async fn tokens(user: &str) -> (String, String) {
    tokens_for_client(user, &cloud().report.client_id).await
}

/// SDK settings for the local cloud (moto checks no credentials).
async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(SANDBOX_REGION))
        .endpoint_url(&cloud().endpoint)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "k", "s", None, None, "test",
        ))
        .load()
        .await
}

pub async fn s3() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(&sdk_config().await)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

pub async fn cognito() -> aws_sdk_cognitoidentityprovider::Client {
    aws_sdk_cognitoidentityprovider::Client::new(&sdk_config().await)
}

pub async fn tokens_for_client(user: &str, client_id: &str) -> (String, String) {
    let out = cognito()
        .await
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", user)
        .auth_parameters("PASSWORD", password_of(user))
        .send()
        .await
        .unwrap();
    let r = out.authentication_result().unwrap();
    (
        r.access_token().unwrap().to_string(),
        r.id_token().unwrap().to_string(),
    )
}

pub async fn token(user: &str) -> String {
    tokens(user).await.0
}

/// The bucket as the server sees it, for checking what landed.
pub async fn store() -> ObjectStore {
    let s3 = aws_sdk_s3::config::Builder::from(&sdk_config().await)
        .force_path_style(true)
        .build();
    ObjectStore::new(aws_sdk_s3::Client::from_conf(s3), SANDBOX_BUCKET.into())
}

/// A moto of a test's own on `port`, stopped when dropped; returns once it listens.
pub fn moto_on(port: u16) -> Killed {
    let moto = Killed(
        Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port);
    moto
}

/// A bucket on the local cloud at `endpoint` with the given credentials.
pub async fn store_at(endpoint: &str, bucket: &str, key: &str, secret: &str) -> ObjectStore {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            key, secret, None, None, "test",
        ))
        .load()
        .await;
    let s3 = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(true)
        .build();
    ObjectStore::new(aws_sdk_s3::Client::from_conf(s3), bucket.into())
}

/// A client for the server with helpers for `{code, message}` answers.
pub struct Api {
    pub http: ::reqwest::Client,
    pub base: String,
}

pub fn api() -> Api {
    Api {
        http: ::reqwest::Client::new(),
        base: cloud().server.clone(),
    }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        answer(r).await
    }
}

pub async fn answer(r: ::reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
