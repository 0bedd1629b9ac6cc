#![allow(clippy::expect_used, clippy::unwrap_used)]
// A bench takes its settings from the bench script's environment and measures in real time.
#![allow(clippy::disallowed_methods)]
//! Issue 11: request latency of a category list and a document open through the records
//! server, against the direct S3 path the desktop used before, in the same run on one moto.
//! Run by `scripts/bench-server.sh` (it builds the release server; the test kit starts the sandbox).

use std::time::{Duration, Instant};

use chartdesk::cloud::CloudClients;
use chartdesk::config::Profile;
use chartdesk::services::system_clock;
use chartdesk::Services;
use chartdesk_domain::{find_entry, rows_for, RowPermissions};
use chartdesk_domain::{keys, sha256_hex, Category, Manifest, Mrn};
use chartdesk_sandbox::SANDBOX_PROFILE;

const ROUNDS: usize = 60;
const MRN: &str = "10000004";

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run());
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100]),
    )
}

async fn time<F: std::future::Future<Output = ()>>(mut f: impl FnMut() -> F) -> (f64, f64) {
    f().await; // warm: connections, JWKS, caches
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        f().await;
        samples.push(started.elapsed());
    }
    percentiles(samples)
}

async fn run() {
    // The sandbox launcher's moto and records server (CHARTDESK_SERVER_BIN: the release build).
    let cloud = chartdesk_testkit::Cloud::start(Default::default());
    let (folders, report, base) = (&cloud.folders, &cloud.report, cloud.server_url.clone());

    let profile = Profile::load(folders, SANDBOX_PROFILE).unwrap();
    // The path the desktop had before the server: its own S3 reads (here with the sandbox's
    // admin keys), the same manifest, tag and object requests it made.
    let store = CloudClients::new(&profile).await.store(&profile);
    let mut through = profile.clone();
    through.server_url = Some(base.clone());
    let app = Services::new(through, system_clock()).await;
    let user = report
        .users
        .iter()
        .find(|u| u.username == "dr.okafor")
        .unwrap();
    app.sign_in(&user.username, &user.password).await.unwrap();
    let rows = app.documents().list(MRN, "lab").await.unwrap();
    let doc = rows[0].id.clone();
    let mrn = Mrn::from_stored(MRN).unwrap();
    let may = RowPermissions {
        stamp: true,
        remove: false,
    };

    // Every direct request reads the manifest first, as the desktop did.
    let manifest = || async {
        store
            .get_json::<Manifest>(&keys::manifest(&mrn))
            .await
            .unwrap()
            .unwrap()
            .value
    };
    let direct_list = time(|| async {
        let manifest = manifest().await;
        // Verdicts live in the manifest: the direct floor is reading it.
        let listed = rows_for(&manifest, Category::Lab, may);
        assert!(!listed.is_empty());
    })
    .await;
    let server_list = time(|| async {
        app.documents().list(MRN, "lab").await.unwrap();
    })
    .await;
    let direct_open = time(|| async {
        let manifest = manifest().await;
        let entry = find_entry(&manifest, doc.parse().unwrap()).unwrap();
        let ext = keys::extension_for(&entry.content_type).unwrap();
        let key = keys::original(&mrn, entry.category, entry.id, ext);
        let (bytes, _) = store.get_bytes(&key).await.unwrap().unwrap();
        assert_eq!(sha256_hex(&bytes), entry.sha256);
    })
    .await;
    let server_open = time(|| async {
        app.documents().open(MRN, &doc).await.unwrap();
    })
    .await;
    cloud.stop();

    println!(
        "{ROUNDS} rounds each, one moto, release build; lab list of MRN {MRN} ({} rows)",
        rows.len()
    );
    println!(
        "{:<34} {:>9} {:>9} {:>12}",
        "", "p50 ms", "p95 ms", "p50 ratio"
    );
    let row = |name: &str, (p50, p95): (f64, f64), base: f64| {
        println!("{name:<34} {p50:>9.2} {p95:>9.2} {:>11.2}x", p50 / base);
    };
    row("list, direct S3 (before)", direct_list, direct_list.0);
    row(
        "list, desktop through the server",
        server_list,
        direct_list.0,
    );
    row("open, direct S3 (before)", direct_open, direct_open.0);
    row("open, desktop via server + GET", server_open, direct_open.0);
}
