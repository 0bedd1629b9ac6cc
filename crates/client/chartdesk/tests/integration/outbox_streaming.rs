//! Uploads in bulk (issue 25 item 1): `queue_and_send` sends the first files while later ones
//! are still being made safe, and files the window adds at once are completed together; every
//! file lands exactly once, as itself.

use std::sync::Mutex;
use std::time::Instant;

use chartdesk::auth::KeychainBackend;
use chartdesk::config::Profile;
use chartdesk::services::{system_clock, Destination, FileUpload, Services, Upload, UploadOutcome};
use chartdesk_domain::upload_protocol::{MULTIPART_THRESHOLD, PART_SIZE};
use chartdesk_domain::{keys, sha256_hex, Category, Mrn};
use chartdesk_records::store::Progress;
use chartdesk_sandbox::demo_pdf;
use chartdesk_sandbox::launch::{RunningServer, ServerSettings};
use tokio_util::sync::CancellationToken;

use crate::local_cloud::cloud;
use crate::upload::patient;

/// Services as the desktop builds them, with a cache of their own, signed in as ward staff.
pub(crate) async fn ward_with_cache(cache: &std::path::Path, profile: &str) -> Services {
    ward_of(cloud().profile(), cache, profile).await
}

async fn ward_of(mut p: Profile, cache: &std::path::Path, profile: &str) -> Services {
    p.name = profile.into();
    p.keychain = KeychainBackend::Keyutils;
    let s = Services::new(p, system_clock())
        .await
        .with_cache_dir(cache.to_path_buf());
    s.sign_in("nurse.hughes", cloud().password("nurse.hughes"))
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn files_go_up_while_later_ones_are_still_being_queued_in_order_and_each_lands_once() {
    let cache = tempfile::tempdir().unwrap();
    let s = ward_with_cache(cache.path(), "outbox-streaming").await;
    patient("30000043").await;
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = (0..40)
        .map(|i| {
            let path = dir.path().join(format!("result-{i:02}.pdf"));
            // A few hundred kB each, so queueing them all takes a while.
            let mut pdf = demo_pdf("Lab", &format!("result {i}"));
            pdf.resize(300_000 + i, b' ');
            std::fs::write(&path, pdf).unwrap();
            path
        })
        .collect();
    let sending_began: Mutex<Option<Instant>> = Mutex::new(None);
    let mut queued_at = Vec::new();
    let report = s
        .outbox()
        .queue_and_send(
            &files,
            Destination {
                mrn: "30000043",
                category: "lab",
                replace_oldest: false,
            },
            4,
            |_| {
                sending_began
                    .lock()
                    .unwrap()
                    .get_or_insert_with(Instant::now);
                Progress::silent()
            },
            &CancellationToken::new(),
            |path, queued| {
                assert!(queued.is_ok(), "{:?}", queued.err());
                queued_at.push((Instant::now(), path.to_path_buf()));
            },
        )
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed, report.left), (40, 0, 0));
    let began = sending_began.lock().unwrap().unwrap();
    assert!(
        began < queued_at.last().unwrap().0,
        "the first file was on its way before the last was queued"
    );
    // Two are sealed at once, but each is heard of in the order given.
    let heard: Vec<_> = queued_at.into_iter().map(|(_, path)| path).collect();
    assert_eq!(heard, files, "queued in the order given");
    let rows = s.documents().list("30000043", "lab").await.unwrap();
    assert_eq!(rows.len(), 40, "each file once");
    assert!(s.outbox().items().await.unwrap().is_empty());
}

#[tokio::test]
async fn files_the_window_adds_at_once_each_land_once_as_themselves() {
    let cache = tempfile::tempdir().unwrap();
    let s = ward_with_cache(cache.path(), "window-adds-at-once").await;
    patient("30000045").await;
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..8).map(|i| format!("ward-scan-{i}.pdf")).collect();
    for (i, name) in names.iter().enumerate() {
        std::fs::write(
            dir.path().join(name),
            demo_pdf("Scan", &format!("page {i}")),
        )
        .unwrap();
    }
    // As the window does: one add per file, all at once; their completes go together.
    let paths: Vec<_> = names.iter().map(|n| dir.path().join(n)).collect();
    let adds = names.iter().zip(&paths).map(|(name, path)| {
        s.outbox().add_file(FileUpload {
            path,
            file_name: name,
            mrn: "30000045",
            category: "lab",
            replace_oldest: false,
            progress: Progress::silent(),
            cancel: CancellationToken::new(),
        })
    });
    let outcomes = futures_util::future::join_all(adds).await;
    for (name, outcome) in names.iter().zip(outcomes) {
        match outcome.unwrap() {
            UploadOutcome::Added { row } => assert_eq!(&row.file_name, name, "its own answer"),
            other => panic!("{name}: {other:?}"),
        }
    }
    let mut listed: Vec<String> = s
        .documents()
        .list("30000045", "lab")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.file_name)
        .collect();
    listed.sort();
    assert_eq!(listed, names, "each once");
    assert!(s.outbox().items().await.unwrap().is_empty());
}

/// A restricted record of the test's own, and ward staff who gave a reason for it.
async fn restricted_with_reason(mrn: &str, cache: &std::path::Path) -> Services {
    patient(mrn).await;
    let json = format!(
        r#"{{"mrn":"{mrn}","nhs_number":"9990000018","given_name":"Test","family_name":"Restricted","birth_date":"1970-01-01","postcode":"AB1 2CD","flags":{{"restricted":true}}}}"#
    );
    cloud()
        .admin_store()
        .await
        .put_bytes(
            &format!("patients/{mrn}/patient.json"),
            json.into_bytes(),
            "application/json",
            chartdesk_records::store::object_store::Write::Overwrite,
        )
        .await
        .unwrap();
    let s = ward_with_cache(cache, &format!("starts-{mrn}")).await;
    let reason = chartdesk_domain::StatedReason::parse(Some("direct_care"), None).unwrap();
    s.patients()
        .find_with_reason(&format!("MRN {mrn}"), Some(reason))
        .await
        .unwrap();
    s
}

/// Each start of a restricted record is one break-glass event naming the uploads it started:
/// how many start requests the uploads `ids` took, each id checked to be in exactly one.
async fn start_requests(mrn: &str, mut ids: Vec<String>) -> usize {
    let mut started: Vec<String> = Vec::new();
    let mut requests = 0;
    let mut seen = std::collections::HashSet::new();
    for e in cloud().audit_events().await {
        let named =
            |v: &serde_json::Value| v.as_str().is_some_and(|id| ids.iter().any(|i| i == id));
        let start = e["action"] == "break_glass" && e["mrn"] == mrn && named(&e["doc_id"]);
        if start && seen.insert(e["event_id"].to_string()) {
            requests += 1;
            match e["doc_ids"].as_array() {
                Some(many) => started.extend(many.iter().map(|v| v.as_str().unwrap().to_string())),
                None => started.push(e["doc_id"].as_str().unwrap().to_string()),
            }
        }
    }
    started.sort();
    ids.sort();
    assert_eq!(started, ids, "each file started once");
    requests
}

/// Patient 30000053 (restricted, this test's own): sixteen files the window adds at once start
/// in a few requests, not sixteen.
#[tokio::test]
async fn files_added_at_once_start_together_and_each_is_started_once() {
    let cache = tempfile::tempdir().unwrap();
    let s = restricted_with_reason("30000053", cache.path()).await;
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..16).map(|i| format!("theatre-{i}.pdf")).collect();
    for (i, name) in names.iter().enumerate() {
        std::fs::write(dir.path().join(name), demo_pdf("Note", &format!("{i}"))).unwrap();
    }
    let paths: Vec<_> = names.iter().map(|n| dir.path().join(n)).collect();
    let adds = names.iter().zip(&paths).map(|(name, path)| {
        s.outbox().add_file(FileUpload {
            path,
            file_name: name,
            mrn: "30000053",
            category: "postop",
            replace_oldest: false,
            progress: Progress::silent(),
            cancel: CancellationToken::new(),
        })
    });
    let mut ids = Vec::new();
    for (name, outcome) in names.iter().zip(futures_util::future::join_all(adds).await) {
        match outcome.unwrap() {
            UploadOutcome::Added { row } => ids.push(row.id.to_string()),
            other => panic!("{name}: {other:?}"),
        }
    }
    let requests = start_requests("30000053", ids).await;
    assert!(
        requests < 16,
        "16 files at once took {requests} start requests"
    );
}

/// Patient 30000054 (restricted, this test's own): a sync of 24 queued files, 4 at a time,
/// starts them all ahead of the sending, in a few requests, and each lands once.
#[tokio::test]
async fn queued_files_sent_four_at_a_time_are_all_started_ahead_in_a_few_requests() {
    let cache = tempfile::tempdir().unwrap();
    let s = restricted_with_reason("30000054", cache.path()).await;
    for i in 0..24 {
        let pdf = demo_pdf("Scan", &format!("scan {i}"));
        let upload = Upload::new("30000054", "radiology", "scan.pdf", pdf);
        s.outbox().queue_upload(upload).await.unwrap();
    }
    let report = s
        .outbox()
        .drain_outbox(4, |_| Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed, report.left), (24, 0, 0));
    let rows = s.documents().list("30000054", "radiology").await.unwrap();
    assert_eq!(rows.len(), 24, "each file once");
    let ids = rows.iter().map(|r| r.id.to_string()).collect();
    let requests = start_requests("30000054", ids).await;
    // All 24 are declared at once: the first few go out alone (one per start lane), the
    // rest together as a lane frees. With only the senders' number ahead they trickled in
    // one per finished send, about one start each.
    assert!(
        requests <= 8,
        "24 files, 4 at a time, took {requests} start requests"
    );
}

/// A records server on the shared cloud with the default single-PUT threshold (the test kit's
/// own server sends files over 8 MiB in parts).
fn default_server() -> &'static str {
    static SERVER: std::sync::OnceLock<(RunningServer, String)> = std::sync::OnceLock::new();
    &SERVER
        .get_or_init(|| cloud().another_server(ServerSettings::default()))
        .1
}

#[tokio::test]
async fn a_queued_file_up_to_the_threshold_goes_in_one_streamed_put_and_lands_intact() {
    let cache = tempfile::tempdir().unwrap();
    let mut profile = cloud().profile();
    profile.server_url = Some(default_server().to_string());
    let s = ward_of(profile, cache.path(), "one-put").await;
    assert_eq!(
        s.policy().multipart_threshold(),
        MULTIPART_THRESHOLD as u64,
        "the server's threshold, published"
    );
    patient("30000052").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long-scan.pdf");
    // Three parts' worth: read from the outbox's chunks piece by piece as it is sent.
    let mut pdf = demo_pdf("Radiology", "long scan");
    pdf.extend((0..PART_SIZE * 2 + 12_345).map(|i| b'a' + (i % 26) as u8));
    std::fs::write(&path, &pdf).unwrap();
    let seen = std::sync::Arc::new(Mutex::new((0u64, 0u64, 0usize)));
    let log = seen.clone();
    let report = s
        .outbox()
        .queue_and_send(
            &[path],
            Destination {
                mrn: "30000052",
                category: "radiology",
                replace_oldest: false,
            },
            1,
            |_| {
                let log = log.clone();
                Progress::new(move |sent, total| {
                    let mut seen = log.lock().unwrap();
                    *seen = (sent, total, seen.2 + 1);
                })
            },
            &CancellationToken::new(),
            |_, queued| assert!(queued.is_ok(), "{:?}", queued.err()),
        )
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed, report.left), (1, 0, 0));
    let (sent, total, reports) = *seen.lock().unwrap();
    assert_eq!((sent, total), (pdf.len() as u64, pdf.len() as u64));
    assert!(reports > 100, "byte-level progress: {reports}");

    let rows = s.documents().list("30000052", "radiology").await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.file_name == "long-scan.pdf")
        .unwrap();
    assert_eq!(row.size, pdf.len() as u64);
    let mrn = Mrn::from_stored("30000052").unwrap();
    let key = keys::original(&mrn, Category::Radiology, row.id.parse().unwrap(), "pdf");
    let stored = cloud().admin_store().await;
    assert_eq!(
        stored.sha256_of(&key, pdf.len() as u64).await.unwrap(),
        Some(sha256_hex(&pdf)),
        "the stored object is the file, whole"
    );
    // A multipart object's ETag ends `-<parts>`; one PUT's is a plain MD5.
    let clients = chartdesk::cloud::CloudClients::new(&cloud().profile()).await;
    let head = clients
        .s3
        .head_object()
        .bucket(&cloud().report.bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    let etag = head.e_tag().unwrap_or_default();
    assert!(!etag.contains('-'), "sent in one PUT, not in parts: {etag}");
}
