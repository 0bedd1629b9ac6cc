//! Queueing and sending at once (issue 25 item 1): `queue_and_send` sends the first files
//! while later ones are still being made safe, and every file lands exactly once.

use std::sync::Mutex;
use std::time::Instant;

use chartdesk::auth::KeychainBackend;
use chartdesk::cloud::Progress;
use chartdesk::sandbox::demo_pdf;
use chartdesk::services::{system_clock, Destination, Services};
use tokio_util::sync::CancellationToken;

use crate::local_cloud::cloud;
use crate::upload::patient;

#[tokio::test]
async fn files_go_up_while_later_ones_are_still_being_queued_and_each_lands_once() {
    let cache = tempfile::tempdir().unwrap();
    let mut profile = cloud().profile();
    profile.name = "outbox-streaming".into();
    profile.keychain = KeychainBackend::Keyutils;
    let s = Services::new(profile, system_clock())
        .await
        .with_cache_dir(cache.path().to_path_buf());
    s.sign_in("nurse.hughes", cloud().password("nurse.hughes"))
        .await
        .unwrap();
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
    let rows = s.list_documents("30000043", "lab").await.unwrap();
    assert_eq!(rows.len(), 40, "each file once");
    assert!(s.outbox().items().await.unwrap().is_empty());
}
