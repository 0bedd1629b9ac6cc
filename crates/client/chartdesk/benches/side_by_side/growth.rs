//! Records that keep growing (issue 25 item 4): the everyday calls on a patient with
//! `BENCH_GROWTH_DOCS` documents (10,000), against the same calls on a patient with 100 in the
//! same run. The ratio is the figure: a call that reads or rewrites the whole index grows with
//! N; one that does not stays near 1.
//!
//! Calls, each timed alone through the desktop core against the sandbox's server: find (the
//! first screen, thumbnails inline, as the window opens a patient, with a new offline cache),
//! a page of 50 rows of one category, a stamp on an old lab report (a change deep in the index),
//! and an attach (one PDF uploaded: start → PUT → complete). The server's S3 traffic passes a
//! counting proxy, so each call also reports the bytes the server moved to and from S3: the
//! figure a whole-index layout grows with. An attach's bytes include the worker's processing
//! of the file, which changes the index too.
//!
//! Env: CHARTDESK_SERVER_BIN and CHARTDESK_MOTO_SERVER (for the test kit's sandbox),
//! BENCH_GROWTH_DOCS (10000), BENCH_GROWTH_RUNS (10), and BENCH_WHOLE_MANIFEST=1 to store the
//! index whole, as servers before the manifest's parts did (to measure one of those).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::emit;
use crate::proxy::{self, Counts, Latency};
use crate::seeded;
use chartdesk::cloud::CloudClients;
use chartdesk::config::Profile;
use chartdesk::services::{system_clock, Upload};
use chartdesk::Services;
use chartdesk_domain::{Category, Manifest, Mrn};
use chartdesk_records::store::RecordStore;
use chartdesk_sandbox::launch::ServerSettings;
use chartdesk_sandbox::{demo_jpeg, demo_pdf, seed_patient, SANDBOX_PROFILE};

/// The smaller record, the peer every row is compared with.
const FEW: usize = 100;
/// Newest documents per category given files: what a first screen or a page can show.
const WITH_FILES: usize = 50;

/// A registered patient with `docs` documents; the newest `WITH_FILES` of each category have
/// their thumbnail in the bucket. Returns the lab entries, oldest first.
async fn seed(store: &dyn RecordStore, mrn: &Mrn, docs: usize) -> Vec<String> {
    seed_patient(store, mrn, &[], time::OffsetDateTime::now_utc())
        .await
        .expect("patient");
    let jpeg = demo_jpeg(3);
    let mut manifest = Manifest::new();
    // Index 0 is the oldest, as entries are appended.
    let first = time::OffsetDateTime::now_utc() - time::Duration::minutes(docs as i64);
    manifest.documents = (0..docs)
        .map(|i| seeded::scan(mrn, i, &jpeg, first + time::Duration::minutes(i as i64)).into())
        .collect();
    let newest = manifest.entries().rev().take(WITH_FILES * 7);
    seeded::put_thumbnails(store, mrn, newest, &jpeg).await;
    seeded::put_manifest(store, mrn, &manifest).await;
    manifest
        .documents
        .iter()
        .filter(|d| d.category == Category::Lab)
        .map(|d| d.id.to_string())
        .collect()
}

/// Per call: milliseconds, and KB the server moved to and from S3.
#[derive(Default)]
struct Call {
    ms: Vec<f64>,
    kb: Vec<f64>,
}

#[derive(Default)]
struct Times {
    find: Call,
    page: Call,
    stamp: Call,
    attach: Call,
}

/// The server's S3 bytes so far, in KB.
fn kb(counts: &Counts) -> f64 {
    let bytes =
        counts.server_sent.load(Ordering::SeqCst) + counts.server_received.load(Ordering::SeqCst);
    bytes as f64 / 1000.0
}

/// Waits until the server's S3 traffic stops for `BENCH_QUIET_MS` (a second; at most 60 of
/// those): what a call started in the background (the worker's processing of an upload) is
/// counted as its own. The smoke run, which reads no figure, waits less.
async fn quiet(counts: &Counts) {
    let window = Duration::from_millis(crate::setting("BENCH_QUIET_MS", 1000) as u64);
    let mut last = kb(counts);
    for _ in 0..60 {
        tokio::time::sleep(window).await;
        let now = kb(counts);
        if now == last {
            return;
        }
        last = now;
    }
}

/// Times one call; its bytes are counted once the server is quiet again.
async fn timed<T>(
    call: &mut Call,
    counts: &Counts,
    work: impl std::future::Future<Output = T>,
) -> T {
    quiet(counts).await;
    let before = kb(counts);
    let started = Instant::now();
    let out = work.await;
    call.ms.push(started.elapsed().as_secs_f64() * 1000.0);
    quiet(counts).await;
    call.kb.push(kb(counts) - before);
    out
}

/// A user as the bench signs them in: name and password.
type User<'a> = (&'a str, &'a str);

async fn signed_in(profile: &Profile, user: User<'_>, cache: std::path::PathBuf) -> Services {
    let app = Services::new(profile.clone(), system_clock())
        .await
        .with_cache_dir(cache)
        .keeping_copies_after_the_screen();
    app.sign_in(user.0, user.1).await.expect("sign in");
    app
}

struct Patient<'a> {
    mrn: &'a str,
    /// Its lab reports, oldest first: run r stamps the r-th.
    lab: &'a [String],
}

async fn calls(
    profile: &Profile,
    counts: &Counts,
    (clinician, ward): (User<'_>, User<'_>),
    patient: Patient<'_>,
    runs: usize,
    dir: &std::path::Path,
) -> Times {
    let (mrn, mut times) = (patient.mrn, Times::default());
    let pdf = demo_pdf("Growth", "one more document");
    for run in 0..runs {
        let app = signed_in(profile, clinician, dir.join(format!("cache-{mrn}-{run}"))).await;
        let nurse = signed_in(profile, ward, dir.join(format!("ward-{mrn}-{run}"))).await;
        let summary = timed(&mut times.find, counts, app.patients().find(mrn))
            .await
            .expect("find");
        assert!(
            summary.first_rows.is_some(),
            "the find answers a first screen"
        );
        let page = timed(
            &mut times.page,
            counts,
            app.documents().list_page(mrn, "lab", None, 50),
        )
        .await
        .expect("page");
        assert!(!page.rows.is_empty());
        timed(
            &mut times.stamp,
            counts,
            app.documents().stamp(mrn, &patient.lab[run]),
        )
        .await
        .expect("stamp");
        let upload = nurse
            .documents()
            .upload(Upload::new(mrn, "postop", "note.pdf", pdf.clone()));
        timed(&mut times.attach, counts, upload)
            .await
            .expect("attach");
    }
    times
}

pub async fn run(cloud: &chartdesk_testkit::Cloud) {
    let (docs, runs) = (
        crate::setting("BENCH_GROWTH_DOCS", 10_000),
        crate::setting("BENCH_GROWTH_RUNS", 10),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut profile = Profile::load(&cloud.folders, SANDBOX_PROFILE).expect("profile");
    let clients = CloudClients::new(&profile).await;
    let store = clients.store(&profile);
    let user = |name: &str| {
        let user = cloud
            .report
            .users
            .iter()
            .find(|u| u.username == name)
            .expect("demo user");
        (user.username.as_str(), user.password.as_str())
    };
    let users = (user("dr.okafor"), user("nurse.hughes"));

    // A server of its own whose S3 requests pass the counting proxy.
    let counts = Arc::new(Counts::default());
    let upstream = cloud.endpoint.trim_start_matches("http://").to_string();
    let s3 = proxy::start(upstream, counts.clone(), true, Latency::NONE).await;
    let through_proxy = ServerSettings {
        env: vec![("AWS_ENDPOINT_URL".into(), s3)],
        ..Default::default()
    };
    let (server, base) = cloud.another_server(through_proxy);
    profile.server_url = Some(base);

    let (few, many) = (
        Mrn::from_stored("37000001").expect("mrn"),
        Mrn::from_stored("37000002").expect("mrn"),
    );
    let few_lab = seed(&store, &few, FEW).await;
    let many_lab = seed(&store, &many, docs).await;
    let patient = |mrn: &'static str, lab| Patient { mrn, lab };
    if !seeded::worker_idle(&clients, &cloud.report.queue_url).await {
        eprintln!("growth: the worker still busy after two minutes");
    }
    let few_times = calls(
        &profile,
        &counts,
        users,
        patient("37000001", &few_lab),
        runs,
        dir.path(),
    )
    .await;
    let many_times = calls(
        &profile,
        &counts,
        users,
        patient("37000002", &many_lab),
        runs,
        dir.path(),
    )
    .await;
    drop(server);

    let layout = if seeded::whole_index() {
        "whole index"
    } else {
        "index in parts"
    };
    for (call, ours, peer) in [
        ("find (first screen)", &many_times.find, &few_times.find),
        ("a page of 50 rows", &many_times.page, &few_times.page),
        ("stamp an old report", &many_times.stamp, &few_times.stamp),
        ("attach one PDF", &many_times.attach, &few_times.attach),
    ] {
        let (ours_who, peer_who) = (
            format!("chartdesk, {docs} docs ({layout})"),
            format!("chartdesk, {FEW} docs ({layout})"),
        );
        let metric = format!("{call}, {docs} docs vs {FEW}");
        let goal = Some("<= 1.5x the same call at 100 docs");
        emit("growth", &metric, &ours_who, true, "ms", &ours.ms, goal);
        emit("growth", &metric, &peer_who, false, "ms", &peer.ms, None);
        let metric = format!("{call}, server <-> S3 bytes, {docs} docs vs {FEW}");
        emit("growth", &metric, &ours_who, true, "KB", &ours.kb, goal);
        emit("growth", &metric, &peer_who, false, "KB", &peer.kb, None);
    }
}
