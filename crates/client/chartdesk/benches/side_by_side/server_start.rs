//! The records server's cold start and memory (issue 25 item 5): what a Lambda cold start
//! and the function's memory size must allow for. Start = process spawned → `listening on`
//! (accepting connections); first answer = spawned → the first signed-in find answered (it
//! fetches the user pool's keys). The peer is the floor of starting the same binary at all
//! (`--print-openapi`: exec, runtime, no settings, no cloud). Peak RSS (VmHWM) after a load
//! of finds and lists on a demo record.
//!
//! Env: CHARTDESK_SERVER_BIN and CHARTDESK_MOTO_SERVER (the test kit's sandbox), BENCH_SERVER_RUNS, BENCH_SERVER_LOAD (50).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use chartdesk::config::Profile;
use chartdesk::services::system_clock;
use chartdesk::Services;
use chartdesk_sandbox::SANDBOX_PROFILE;

use crate::emit;

/// Amara Whitfield, a demo record with seven documents.
const MRN: &str = "10000001";

struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Kibibytes of a `/proc/{pid}/status` line (`VmHWM`, `VmRSS`).
fn status_kib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub async fn run(cloud: &chartdesk_testkit::Cloud) {
    let runs = crate::setting("BENCH_SERVER_RUNS", 5);
    let report = &cloud.report;
    let server_bin = chartdesk_testkit::programs().server;
    let env = chartdesk_sandbox::launch::server_env(report);
    let user = report
        .users
        .iter()
        .find(|u| u.username == "dr.okafor")
        .expect("clinician");
    let profile = Profile::load(&cloud.folders, SANDBOX_PROFILE).expect("profile");

    // Rounds of find + every list before the peak is read (the smoke run makes fewer).
    let load = crate::setting("BENCH_SERVER_LOAD", 50);
    let (mut ready, mut first, mut floor, mut peak) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let started = Instant::now();
        let status = Command::new(&server_bin)
            .arg("--print-openapi")
            .stdout(Stdio::null())
            .status()
            .expect("server binary");
        assert!(status.success());
        floor.push(started.elapsed().as_secs_f64() * 1000.0);

        let started = Instant::now();
        let mut child = Command::new(&server_bin)
            .args(["--listen", "127.0.0.1:0"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("server binary");
        let stdout = child.stdout.take().expect("stdout");
        let server = Stopped(child);
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server said where it listens")
                .expect("line");
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.to_string();
            }
        };
        ready.push(started.elapsed().as_secs_f64() * 1000.0);

        let mut through = profile.clone();
        through.server_url = Some(url);
        let app = Arc::new(Services::new(through, system_clock()).await);
        // Signing in is Cognito's (moto's) work, not the server's: outside the clock, which
        // is why the first answer is timed from spawn minus the sign-in.
        let signing_in = Instant::now();
        app.sign_in(&user.username, &user.password)
            .await
            .expect("sign in");
        let sign_in = signing_in.elapsed();
        app.patients().find(MRN).await.expect("find");
        first.push((started.elapsed() - sign_in).as_secs_f64() * 1000.0);

        for _ in 0..load {
            let summary = app.patients().find(MRN).await.expect("find");
            for tile in &summary.tiles {
                app.documents()
                    .list(MRN, tile.category.id())
                    .await
                    .expect("list");
            }
        }
        peak.push(status_kib(server.0.id(), "VmHWM:").unwrap_or(0.0) / 1024.0);
    }
    let floor_who = "same binary, --print-openapi (floor)";
    for (metric, ours) in [
        ("process start -> accepting connections", &ready),
        ("process start -> first signed-in find answered", &first),
    ] {
        emit(
            "server-start",
            metric,
            "chartdesk-server",
            true,
            "ms",
            ours,
            None,
        );
        emit("server-start", metric, floor_who, false, "ms", &floor, None);
    }
    emit(
        "server-memory",
        &format!("peak RSS after {load} x (find + 7 lists)"),
        "chartdesk-server",
        true,
        "MB",
        &peak,
        Some("fits Lambda's 512 MB"),
    );
}
