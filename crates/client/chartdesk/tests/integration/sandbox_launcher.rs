//! `chartdesk sandbox up --spawn --json`, the one launcher scripts, benches and the e2e suite
//! start: one JSON line once everything answers, and nothing left running after SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};

use chartdesk::config::{Folders, Profile};
use chartdesk_sandbox::SANDBOX_PROFILE;
use serde_json::Value;

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

/// The launcher's arguments for a sandbox in temp folders (set with `in_folders`).
fn launcher_args(dir: &std::path::Path) -> Vec<std::ffi::OsString> {
    let programs = chartdesk_testkit::programs();
    let mut args: Vec<std::ffi::OsString> = ["sandbox", "up", "--spawn", "--json"]
        .map(Into::into)
        .to_vec();
    args.extend(["--server-bin".into(), programs.server.into_os_string()]);
    args.extend(["--moto-bin".into(), programs.moto.into_os_string()]);
    args.extend(["--log-dir".into(), dir.join("logs").into_os_string()]);
    args
}

/// Runs `command` with its config, data and temp folders in `dir`.
fn in_folders(command: &mut Command, dir: &std::path::Path) -> Child {
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    command
        .env("TMPDIR", dir.join("tmp"))
        .env("CHARTDESK_CONFIG_DIR", dir.join("config"))
        .env("CHARTDESK_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The first line of `child`'s stdout as JSON, and the rest of its stdout.
fn first_line(child: &mut Child) -> (Value, BufReader<ChildStdout>) {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let report = serde_json::from_str(&line).expect("the first line is JSON");
    (report, stdout)
}

/// Starts the launcher in temp folders; returns it, its stdout after the first line, and that
/// line as JSON.
fn spawn_launcher(dir: &std::path::Path) -> (Child, BufReader<ChildStdout>, Value) {
    let mut command = Command::new(chartdesk_testkit::command_line());
    command.args(launcher_args(dir));
    let mut launcher = in_folders(&mut command, dir);
    let (report, stdout) = first_line(&mut launcher);
    (launcher, stdout, report)
}

/// moto's and the server's URLs from the launcher's line, once both answer.
fn both_answering(report: &Value) -> [&str; 2] {
    let urls = [
        report["endpoint"].as_str().unwrap(),
        report["server_url"].as_str().unwrap(),
    ];
    assert!(urls.iter().all(|u| answers(u)));
    urls
}

/// Waits (bounded, so a regression fails instead of hanging) until no URL answers.
fn until_none_answers(urls: &[&str]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while urls.iter().any(|u| answers(u)) {
        assert!(
            std::time::Instant::now() < deadline,
            "a service outlived its launcher: {urls:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Waits (up to 10 s) for the launcher's temp folder to be empty: the scanner's database and
/// each service's own temp folder (the worker's copies of documents) removed.
fn until_temp_is_empty(dir: &std::path::Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left: Vec<_> = std::fs::read_dir(dir.join("tmp"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        if left.is_empty() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "left in the temp folder: {left:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn answers(url: &str) -> bool {
    TcpStream::connect(("127.0.0.1", port_of(url))).is_ok()
}

#[tokio::test]
async fn spawned_sandbox_prints_one_json_line_serves_and_stops_everything_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut launcher, mut stdout, report) = spawn_launcher(dir.path());
    let line = report.to_string();

    for field in [
        "endpoint",
        "server_url",
        "region",
        "bucket",
        "user_pool_id",
        "client_id",
    ] {
        assert!(
            report[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} in {line}"
        );
    }
    let users = report["users"].as_array().unwrap();
    assert!(users
        .iter()
        .any(|u| u["username"] == "dr.okafor" && u["password"].is_string()));
    assert_eq!(
        report["demo_patients"].as_array().unwrap().len(),
        report["patients"].as_u64().unwrap() as usize
    );

    // The server answers, and so does moto, provisioned (the bucket lists).
    let endpoint = report["endpoint"].as_str().unwrap();
    let server_url = report["server_url"].as_str().unwrap();
    let health = reqwest::get(format!("{server_url}/v1/health"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let bucket = reqwest::get(format!("{endpoint}/{}", report["bucket"].as_str().unwrap()))
        .await
        .unwrap();
    assert_eq!(bucket.status(), 200);
    // The profile is saved where CHARTDESK_CONFIG_DIR says, pointing at both.
    let folders = Folders {
        config: dir.path().join("config"),
        data: dir.path().join("data"),
    };
    let profile = Profile::load(&folders, SANDBOX_PROFILE).unwrap();
    assert_eq!(profile.endpoint.as_deref(), Some(endpoint));
    assert_eq!(profile.server_url.as_deref(), Some(server_url));

    let kill = Command::new("kill")
        .args(["-TERM", &launcher.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = launcher.wait().unwrap();
    assert!(status.success(), "stopped cleanly on SIGTERM: {status}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "nothing after the one JSON line");
    for url in [endpoint, server_url] {
        assert!(
            !answers(url),
            "{url} still answers after the launcher stopped"
        );
    }
    until_temp_is_empty(dir.path());
}

#[test]
fn services_of_a_killed_launcher_stop_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut launcher, _stdout, report) = spawn_launcher(dir.path());
    let urls = both_answering(&report);
    // SIGKILL: the launcher cannot clean up; its services must notice on their own.
    launcher.kill().unwrap();
    launcher.wait().unwrap();
    until_none_answers(&urls);
    until_temp_is_empty(dir.path());
}

#[test]
fn with_stop_with_parent_the_sandbox_ends_when_its_parent_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    // A parent that starts the launcher and is then killed before it can send SIGTERM.
    let mut command = Command::new("sh");
    command
        .args(["-c", r#""$@" & wait"#, "parent"])
        .arg(chartdesk_testkit::command_line())
        .args(launcher_args(dir.path()))
        .arg("--stop-with-parent");
    let mut parent = in_folders(&mut command, dir.path());
    let (report, _stdout) = first_line(&mut parent);
    let urls = both_answering(&report);
    parent.kill().unwrap();
    parent.wait().unwrap();
    until_none_answers(&urls);
    until_temp_is_empty(dir.path());
}
