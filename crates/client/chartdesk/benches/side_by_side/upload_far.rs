//! Uploads with a network's round trips (issue 25 item 5): `BENCH_UPLOAD_FILES` PDFs of
//! `BENCH_UPLOAD_BYTES` sent by the desktop core as `chartdesk upload --jobs 8` does (queued,
//! started, PUT, completed), with 30 ms between the client and the server or S3 and 20 ms
//! between the server and S3, through the counting proxies of `proxy.rs`. The floor: the same
//! files PUT straight to S3 over the client's 30 ms, 8 at a time, with no server and no rules.
//! The client's requests per file are reported too: each one on a file's path is a round trip.
//!
//! Env: CHARTDESK_SERVER_BIN and CHARTDESK_MOTO_SERVER (for the test kit's sandbox),
//! BENCH_UPLOAD_FILES (40), BENCH_UPLOAD_BYTES (2000000), BENCH_UPLOAD_RUNS (3);
//! BENCH_PROXY_TRACE=1 prints each run's requests and answers as a timeline (`proxy::trace`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::proxy::{self, Counts, Latency};
use crate::{emit, setting};
use chartdesk::cloud::CloudClients;
use chartdesk::config::Profile;
use chartdesk::services::{system_clock, Destination};
use chartdesk::Services;
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::Progress;
use chartdesk_sandbox::launch::ServerSettings;
use chartdesk_sandbox::{demo_pdf, SANDBOX_PROFILE};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

/// As `chartdesk upload --jobs 8` and rclone's `--transfers 8` in the loopback rows.
const JOBS: usize = 8;

pub async fn run(cloud: &chartdesk_testkit::Cloud) {
    let files = setting("BENCH_UPLOAD_FILES", 40);
    let bytes = setting("BENCH_UPLOAD_BYTES", 2_000_000);
    let runs = setting("BENCH_UPLOAD_RUNS", 3);
    let dir = tempfile::tempdir().expect("temp dir");
    let paths: Vec<_> = (0..files)
        .map(|i| {
            let path = dir.path().join(format!("report-{i:03}.pdf"));
            let mut pdf = demo_pdf("Lab", &format!("far upload {i}"));
            pdf.resize(bytes.max(pdf.len()), b' ');
            std::fs::write(&path, pdf).expect("write");
            path
        })
        .collect();
    let profile = Profile::load(&cloud.folders, SANDBOX_PROFILE).expect("profile");
    let upstream = cloud.endpoint.trim_start_matches("http://").to_string();
    let client = Latency {
        client: Duration::ZERO,
        hop: Duration::from_millis(30),
    };
    let s3 = Latency {
        client: Duration::from_millis(30),
        hop: Duration::from_millis(20),
    };
    let counts = Arc::new(Counts::default());
    let s3_proxy = proxy::start(upstream.clone(), counts.clone(), true, s3).await;
    let through_proxy = ServerSettings {
        env: vec![("AWS_ENDPOINT_URL".into(), s3_proxy)],
        ..Default::default()
    };
    let (server, base) = cloud.another_server(through_proxy);
    let base = base.trim_start_matches("http://").to_string();
    let via = proxy::start(base, counts.clone(), false, client).await;
    let mut through = profile.clone();
    through.server_url = Some(via);
    let password = cloud.password("nurse.hughes").to_string();

    let (mut ours, mut requests) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let mrn = format!("3710000{run}");
        cloud.seed_patient(&mrn, &[]).await;
        let mut profile = through.clone();
        profile.name = format!("far-upload-{run}");
        profile.keychain = chartdesk::auth::KeychainBackend::Keyutils;
        let app = Services::new(profile, system_clock())
            .await
            .with_cache_dir(dir.path().join(format!("cache-{run}")));
        app.sign_in("nurse.hughes", &password)
            .await
            .expect("sign in");
        counts.client.store(0, Ordering::SeqCst);
        proxy::trace(format_args!("run {run} starts"));
        let started = Instant::now();
        let to = Destination {
            mrn: &mrn,
            category: "lab",
            replace_oldest: false,
        };
        let cancel = CancellationToken::new();
        let report = app
            .outbox()
            .queue_and_send(&paths, to, JOBS, |_| Progress::silent(), &cancel, |_, _| {})
            .await
            .expect("upload");
        proxy::trace(format_args!("run {run} ends"));
        ours.push(started.elapsed().as_secs_f64());
        assert_eq!(report.sent as usize, files, "every file added");
        requests.push(counts.client.load(Ordering::SeqCst) as f64 / files as f64);
    }
    drop(server);

    // The floor: one PUT a file straight to S3 over the client's network.
    let floor = Latency {
        client: s3.client,
        hop: s3.client,
    };
    let direct = proxy::start(upstream, Arc::new(Counts::default()), false, floor).await;
    let mut direct_profile = profile.clone();
    direct_profile.endpoint = Some(direct);
    let store = CloudClients::new(&direct_profile)
        .await
        .store(&direct_profile);
    let mut floor_times = Vec::new();
    for run in 0..runs {
        let started = Instant::now();
        futures_util::stream::iter(paths.iter().enumerate())
            .for_each_concurrent(JOBS, |(i, path)| {
                let store = &store;
                async move {
                    let body = tokio::fs::read(path).await.expect("read");
                    let key = format!("peers/far-{run}/{i}.pdf");
                    store
                        .put_bytes(&key, body, "application/pdf", Write::Overwrite)
                        .await
                        .expect("put");
                }
            })
            .await;
        floor_times.push(started.elapsed().as_secs_f64());
    }

    let size = if bytes >= 1_000_000 {
        format!("{} MB", bytes / 1_000_000)
    } else {
        format!("{} kB", bytes / 1000)
    };
    let metric = format!("{files} x {size} PDFs, jobs {JOBS}, 30/20 ms RTT");
    let who = "chartdesk core, as `upload --jobs 8`";
    emit("upload-far", &metric, who, true, "s", &ours, Some("report"));
    let floor_who = "PUT straight to S3, no server (floor)";
    emit(
        "upload-far",
        &metric,
        floor_who,
        false,
        "s",
        &floor_times,
        None,
    );
    let per_file = format!("client requests per file, {metric}");
    emit("upload-far", &per_file, who, true, "n", &requests, None);
}
