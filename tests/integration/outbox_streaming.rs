//! Uploads in bulk (issue 25 item 1): `queue_and_send` sends the first files while later ones
//! are still being made safe, and files the window adds at once are completed together; every
//! file lands exactly once, as itself.

use std::sync::Mutex;
use std::time::Instant;

use chartdesk::auth::KeychainBackend;
use chartdesk::cloud::Progress;
use chartdesk::sandbox::demo_pdf;
use chartdesk::services::{system_clock, Destination, FileUpload, Services, UploadOutcome};
use tokio_util::sync::CancellationToken;

use crate::local_cloud::cloud;
use crate::upload::patient;

/// Services as the desktop builds them, with a cache of their own, signed in as ward staff.
async fn ward_with_cache(cache: &std::path::Path, profile: &str) -> Services {
    let mut p = cloud().profile();
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
async fn files_go_up_while_later_ones_are_still_being_queued_and_each_lands_once() {
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
            |_, queued| {
                assert!(queued.is_ok(), "{:?}", queued.err());
                queued_at.push(Instant::now());
            },
        )
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed, report.left), (40, 0, 0));
    let began = sending_began.lock().unwrap().unwrap();
    assert!(
        began < *queued_at.last().unwrap(),
        "the first file was on its way before the last was queued"
    );
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
