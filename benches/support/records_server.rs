//! The records server as benches start it: a real process on a free loopback port, with the
//! identity and pool `sandbox up` made, S3 and Cognito at `endpoint`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use chartdesk::sandbox::SandboxReport;

/// The running server and its base URL (`http://127.0.0.1:PORT`).
pub fn spawn(bin: &str, report: &SandboxReport, endpoint: &str) -> (Child, String) {
    let mut server = Command::new(bin)
        .args(["--listen", "127.0.0.1:0"])
        .env("CHARTDESK_BUCKET", &report.bucket)
        .env("CHARTDESK_USER_POOL_ID", &report.user_pool_id)
        .env("CHARTDESK_APP_CLIENT_ID", &report.client_id)
        .env("AWS_REGION", &report.region)
        .env("AWS_ENDPOINT_URL", endpoint)
        // No virus scanner runs on the local cloud.
        .env("CHARTDESK_OPEN_PENDING_SCANS", "true")
        .env("AWS_ACCESS_KEY_ID", &report.server_access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &report.server_secret_access_key)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("server");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening");
    let base = line.trim().trim_start_matches("listening on ").to_string();
    (server, base)
}
