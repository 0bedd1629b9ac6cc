//! The local cloud and the records server come from the test kit (`chartdesk-testkit`, the one
//! launcher), started once per test process; this module adds what the server's tests ask of
//! them: tokens, the bucket as an administrator sees it, servers with other settings, a moto
//! of a test's own.
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use chartdesk_records::store::ObjectStore;
use chartdesk_sandbox::launch::{RunningServer, ServerSettings};
use chartdesk_sandbox::{SandboxReport, SANDBOX_BUCKET, SANDBOX_REGION};
use serde_json::Value;

/// The shared local cloud and records server, as the test kit starts them (the one launcher:
/// moto with TOTP, provisioned, and the server with its least-privilege identity).
pub struct Cloud {
    pub endpoint: String,
    pub report: SandboxReport,
    pub server: String,
}

/// A child process (a moto of a test's own) stopped when it goes out of scope.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        // Reaped, so it does not linger as a zombie until the test process ends.
        let _ = self.0.wait();
    }
}

/// A records server process the test kit started; it stops when dropped.
pub type Server = RunningServer;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// moto, where the test kit finds it.
pub fn moto_server() -> PathBuf {
    chartdesk_testkit::programs().moto
}

pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "port {port} never opened");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn cloud() -> &'static Cloud {
    static CLOUD: OnceLock<Cloud> = OnceLock::new();
    CLOUD.get_or_init(|| {
        let kit = chartdesk_testkit::cloud();
        Cloud {
            endpoint: kit.endpoint.clone(),
            report: kit.report.clone(),
            server: kit.server_url.clone(),
        }
    })
}

/// Another server process on the shared cloud, with `extra` settings; stopped when dropped
/// (or, held in a static, when this test process ends).
pub fn start_server(extra: &[(&str, &str)]) -> (Server, String) {
    let env = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    chartdesk_testkit::cloud().another_server(ServerSettings {
        env,
        ..Default::default()
    })
}

/// A second server whose audit bucket does not exist: every audited action must be refused.
pub fn server_with_broken_audit() -> &'static str {
    static BROKEN: OnceLock<(Server, String)> = OnceLock::new();
    &BROKEN
        .get_or_init(|| start_server(&[("CHARTDESK_AUDIT_BUCKET", "no-such-audit-bucket")]))
        .1
}

/// A server that serves a UI folder (one `index.html`) and allows one other origin, as the
/// browser version runs.
pub fn web_server() -> &'static str {
    static WEB: OnceLock<(Server, String, tempfile::TempDir)> = OnceLock::new();
    &WEB.get_or_init(|| {
        let ui = chartdesk_testkit::tempdir();
        std::fs::write(
            ui.path().join("index.html"),
            "<!doctype html><title>Chartdesk</title><script type=module src=/app.js></script>",
        )
        .unwrap();
        let settings = ServerSettings {
            env: vec![(
                "CHARTDESK_ALLOWED_ORIGINS".to_string(),
                ALLOWED_ORIGIN.to_string(),
            )],
            web_root: Some(ui.path().to_path_buf()),
            ..Default::default()
        };
        let (server, url) = chartdesk_testkit::cloud().another_server(settings);
        (server, url, ui)
    })
    .1
}

pub const ALLOWED_ORIGIN: &str = "http://allowed.example";

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
