//! Online patient open through the records server (issue 13 item 5): find (with the first
//! screen of the first category, issue 25) → the first screen of thumbnails, for a patient with `BENCH_OPEN_DOCS`
//! documents, cold (a new client, nothing cached) and warm (the same client again). Requests
//! are counted by loopback proxies in front of the server and of S3. The peer is the floor:
//! the same bytes read straight from S3 with no server and no rules.
//!
//! Each is measured twice: on loopback, and with a network's round trips added by the proxies
//! (issue 25 item 5: 30 ms between the client and the server or S3, 20 ms between the server
//! and S3), where the number of round trips on the path is what a user feels.
//!
//! Env: CHARTDESK_SERVER_BIN and CHARTDESK_MOTO_SERVER (for the test kit's sandbox),
//! BENCH_OPEN_DOCS (1000), BENCH_OPEN_RUNS (20).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::emit;
use crate::proxy::{self, Counts, Latency};
use crate::seeded;
use chartdesk::cloud::CloudClients;
use chartdesk::config::Profile;
use chartdesk::services::system_clock;
use chartdesk::Services;
use chartdesk_domain::{keys, Category, DocumentEntry, Manifest, Mrn};
use chartdesk_records::store::ObjectStore;
use chartdesk_sandbox::launch::ServerSettings;
use chartdesk_sandbox::{demo_jpeg, SANDBOX_PROFILE};
use futures_util::future::join_all;

/// A demo patient with no documents of their own (Priya Raman): the bench gives them 1,000.
const MRN: &str = "10000005";
/// Rows a list shows before scrolling, each with its thumbnail.
const FIRST_SCREEN: usize = 12;

pub async fn run(cloud: &chartdesk_testkit::Cloud) {
    let docs = crate::setting("BENCH_OPEN_DOCS", 1000);
    let runs = crate::setting("BENCH_OPEN_RUNS", 20);
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = Profile::load(&cloud.folders, SANDBOX_PROFILE).expect("profile");
    let clients = CloudClients::new(&profile).await;
    let store = clients.store(&profile);

    // Every document's thumbnail in the bucket, then the manifest naming them.
    let mrn = Mrn::from_stored(MRN).expect("mrn");
    let jpeg = demo_jpeg(3);
    let mut manifest = Manifest::new();
    let now = time::OffsetDateTime::now_utc();
    manifest.documents = (0..docs)
        .map(|i| seeded::scan(&mrn, i, &jpeg, now - time::Duration::minutes(i as i64)).into())
        .collect();
    seeded::put_thumbnails(&store, &mrn, manifest.entries(), &jpeg).await;
    seeded::put_manifest(&store, &mrn, &manifest).await;

    let near = Setting {
        name: "",
        client: Latency::NONE,
        s3: Latency::NONE,
    };
    let far = Setting {
        name: ", 30/20 ms RTT",
        client: Latency {
            client: Duration::ZERO,
            hop: Duration::from_millis(30),
        },
        s3: Latency {
            client: Duration::from_millis(30),
            hop: Duration::from_millis(20),
        },
    };
    // The demo records' processing is not in the figures: waited for (and timed) first.
    let waited = Instant::now();
    let idle = seeded::worker_idle(&clients, &cloud.report.queue_url).await;
    eprintln!(
        "open: the worker {} after {:.1} s",
        if idle { "idle" } else { "still busy" },
        waited.elapsed().as_secs_f64()
    );
    for setting in [near, far] {
        measure(cloud, &profile, &mrn, &setting, runs, docs, dir.path()).await;
    }
}

/// The distances the proxies add.
struct Setting {
    /// Appended to the metric: empty on loopback.
    name: &'static str,
    /// Client to server.
    client: Latency,
    /// Server to S3 (`hop`), and a client's presigned requests to S3 (`client`).
    s3: Latency,
}

async fn measure(
    cloud: &chartdesk_testkit::Cloud,
    profile: &Profile,
    mrn: &Mrn,
    setting: &Setting,
    runs: usize,
    docs: usize,
    dir: &std::path::Path,
) {
    let (endpoint, report) = (&cloud.endpoint, &cloud.report);
    let counts = Arc::new(Counts::default());
    let upstream = endpoint.trim_start_matches("http://").to_string();
    let s3 = proxy::start(upstream.clone(), counts.clone(), true, setting.s3).await;
    // A server of its own whose S3 requests pass the counting proxy.
    let through_proxy = ServerSettings {
        env: vec![("AWS_ENDPOINT_URL".into(), s3)],
        ..Default::default()
    };
    let (server, base) = cloud.another_server(through_proxy);
    let base = base.trim_start_matches("http://").to_string();
    let via = proxy::start(base, counts.clone(), false, setting.client).await;
    let mut through = profile.clone();
    through.server_url = Some(via);
    let user = report
        .users
        .iter()
        .find(|u| u.username == "dr.okafor")
        .expect("clinician");

    // What the window does on opening a patient: find, draw the first screen the find
    // answered (a patient shown from the offline copy has none: its first category is
    // listed), then load the visible thumbnails at once.
    let open = |app: Arc<Services>| async move {
        let summary = app.patients().find(MRN).await.expect("find");
        let rows = match summary.first_rows {
            Some(first) => first.rows,
            None => {
                let first = summary
                    .tiles
                    .iter()
                    .find(|t| t.count > 0)
                    .expect("a blue tile")
                    .category
                    .id();
                app.documents().list(MRN, first).await.expect("list")
            }
        };
        let thumbs = join_all(rows.iter().take(FIRST_SCREEN).map(|r| {
            let app = app.clone();
            let id = r.id.clone();
            async move {
                app.documents()
                    .thumbnail(MRN, &id)
                    .await
                    .expect("thumbnail")
            }
        }))
        .await;
        assert!(
            thumbs.iter().all(Option::is_some),
            "every visible row has its thumbnail"
        );
    };
    let (mut cold, mut warm, mut cold_requests, mut warm_requests) =
        (vec![], vec![], vec![], vec![]);
    let (mut cold_s3, mut warm_s3) = (vec![], vec![]);
    for run in 0..runs {
        let cache = dir.join(format!("cache-{}-{run}", setting.s3.hop.as_millis()));
        let app = Arc::new(
            Services::new(through.clone(), system_clock())
                .await
                .with_cache_dir(cache)
                .keeping_copies_after_the_screen(),
        );
        app.sign_in(&user.username, &user.password)
            .await
            .expect("sign in");
        for (times, requests, s3_requests) in [
            (&mut cold, &mut cold_requests, &mut cold_s3),
            (&mut warm, &mut warm_requests, &mut warm_s3),
        ] {
            counts.client.store(0, Ordering::SeqCst);
            counts.server.store(0, Ordering::SeqCst);
            let started = Instant::now();
            open(app.clone()).await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            requests.push(counts.client.load(Ordering::SeqCst) as f64);
            s3_requests.push(counts.server.load(Ordering::SeqCst) as f64);
            // As the desktop does once the screen is drawn, outside the open measured.
            app.patients().update_offline_copies().await;
        }
    }
    drop(server);

    // The floor: the record and the visible thumbnails straight from S3, no server, over the
    // client's network.
    let floor_latency = Latency {
        client: setting.s3.client,
        hop: setting.s3.client,
    };
    let floor_counts = Arc::new(Counts::default());
    let direct_s3 = proxy::start(upstream, floor_counts, false, floor_latency).await;
    let mut direct_profile = profile.clone();
    direct_profile.endpoint = Some(direct_s3);
    let store = CloudClients::new(&direct_profile)
        .await
        .store(&direct_profile);
    let mut direct = vec![];
    for _ in 0..runs {
        let started = Instant::now();
        let patient_key = keys::patient(mrn);
        let (_, documents) = tokio::join!(
            store.get_bytes(&patient_key),
            read_whole_manifest(&store, mrn)
        );
        let first: Vec<_> = documents
            .iter()
            .filter(|d| d.category == Category::ALL[0])
            .take(FIRST_SCREEN)
            .collect();
        let thumbs: Vec<String> = first
            .iter()
            .map(|d| keys::thumb(mrn, d.category, d.id))
            .collect();
        join_all(thumbs.iter().map(|k| store.get_bytes(k))).await;
        direct.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let metric = |what: &str| {
        format!(
            "{what}, {docs} docs, open + first {FIRST_SCREEN} thumbs{}",
            setting.name
        )
    };
    // The goal is for loopback; the far rows predict what a ward PC will see.
    let on_loopback = setting.s3.hop.is_zero();
    let goal = on_loopback.then_some("p95 < 150 ms");
    for (what, ours) in [("cold", &cold), ("warm", &warm)] {
        let who = format!("chartdesk via server ({what})");
        emit("online-open", &metric(what), &who, true, "ms", ours, goal);
        let floor = "S3 direct, no server (floor)";
        emit(
            "online-open",
            &metric(what),
            floor,
            false,
            "ms",
            &direct,
            None,
        );
    }
    if !on_loopback {
        // Requests do not change with distance: counted once, on loopback.
        return;
    }
    // The floor's GETs: patient, manifest (and its parts), the thumbnails.
    let parts = if seeded::whole_index() {
        0
    } else {
        docs / chartdesk_records::PART_ROWS
    };
    let direct_requests = [(2 + parts + FIRST_SCREEN) as f64];
    for (what, ours) in [("cold", &cold_s3), ("warm", &warm_s3)] {
        let metric = format!("S3 requests by the server, {what}");
        emit(
            "open-requests",
            &metric,
            "records server",
            true,
            "n",
            ours,
            None,
        );
    }
    for (what, ours) in [("cold", &cold_requests), ("warm", &warm_requests)] {
        let metric = format!("HTTP requests, {what}");
        emit(
            "open-requests",
            &metric,
            "chartdesk client",
            true,
            "n",
            ours,
            Some("<= 3"),
        );
        emit(
            "open-requests",
            &metric,
            "S3 direct (floor)",
            false,
            "n",
            &direct_requests,
            None,
        );
    }
}

/// The manifest's head and every part it names, as raw GETs all at once after the head: the
/// floor for reading a record, with nothing kept in memory from one read to the next.
async fn read_whole_manifest(store: &ObjectStore, mrn: &Mrn) -> Vec<DocumentEntry> {
    let store: &dyn chartdesk_records::store::RecordStore = store;
    let head = store
        .get_json::<serde_json::Value>(&keys::manifest(mrn))
        .await
        .expect("manifest")
        .expect("exists")
        .value;
    let parts = head["parts"].as_array().cloned().unwrap_or_default();
    let parts = join_all(parts.iter().map(|p| {
        let key = keys::manifest_part(mrn, p["sha256"].as_str().unwrap_or_default());
        async move {
            store
                .get_bytes(&key)
                .await
                .expect("part")
                .expect("exists")
                .0
        }
    }))
    .await;
    // A part as stored: `{"write": .., "rows": [..]}` (see `manifest_store`).
    #[derive(serde::Deserialize)]
    struct Part {
        rows: Vec<DocumentEntry>,
    }
    let mut documents: Vec<DocumentEntry> = parts
        .iter()
        .flat_map(|p| serde_json::from_slice::<Part>(p).expect("rows").rows)
        .collect();
    documents.extend(
        serde_json::from_value::<Vec<DocumentEntry>>(head["documents"].clone()).expect("rows"),
    );
    documents
}
