//! The outbox through the core's services: uploads are durable before they leave, survive a
//! dropped network or a cut-off multipart transfer, and land exactly once. The command line's
//! runs are in outbox_cli, kill -9 in outbox_kill, the window's sends in outbox_window.

use std::time::Duration;

use chartdesk::services::Upload;
use chartdesk::{Services, UiError};
use chartdesk_api::ApiErrorCode;
use chartdesk_sandbox::demo_pdf;

use crate::local_cloud::cloud;
use crate::network_switch::{signed_in_via, NetworkSwitch};
use crate::upload::{big_tiff, patient};

/// Services signed in as nurse.hughes through `switch`, with a cache folder of the test's own.
pub(crate) async fn ward_via(
    switch: &NetworkSwitch,
    cache: &std::path::Path,
    profile: &str,
) -> Services {
    signed_in_via(switch, cache, profile, "nurse.hughes").await
}

/// Multipart uploads still open under `prefix` (as an administrator lists them).
pub(crate) async fn open_uploads(prefix: &str) -> usize {
    let store = cloud().admin_store().await;
    chartdesk::cloud::CloudClients::new(&cloud().profile())
        .await
        .s3
        .list_multipart_uploads()
        .bucket(store.bucket())
        .prefix(prefix)
        .send()
        .await
        .unwrap()
        .uploads()
        .len()
}

#[tokio::test]
async fn an_upload_queued_while_the_network_is_down_goes_up_once_when_it_returns() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000031").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-offline").await;

    switch.cut();
    let doc_id = s
        .outbox()
        .queue_upload(Upload::new(
            "30000031",
            "lab",
            "bloods.pdf",
            demo_pdf("Lab", "x"),
        ))
        .await
        .unwrap();
    let report = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.left), (0, 1), "kept while offline");
    let waiting = s.outbox().items().await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].attempts, 1);
    assert!(waiting[0]
        .last_error
        .as_deref()
        .unwrap_or_default()
        .contains("could not be reached"));

    switch.restore();
    let report = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.left), (1, 0));
    assert!(s.outbox().items().await.unwrap().is_empty());
    // Draining again changes nothing: the document is there once.
    s.outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    let rows = setup.documents().list("30000031", "lab").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, doc_id);
}

#[tokio::test]
async fn a_bad_file_is_refused_before_it_reaches_the_outbox() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-refusal").await;
    let err = s
        .outbox()
        .queue_upload(Upload::new(
            "30000031",
            "lab",
            "x.pdf",
            b"MZ\x90\x00".to_vec(),
        ))
        .await
        .unwrap_err();
    assert_eq!(UiError::from(err).code, ApiErrorCode::InvalidInput);
    assert!(s.outbox().items().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_preop_image_queued_offline_waits_for_the_users_decision_when_preop_is_full() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000032").await;
    for i in 0..3 {
        setup
            .documents()
            .upload(Upload::new(
                "30000032",
                "preop",
                &format!("p{i}.jpg"),
                chartdesk_sandbox::demo_jpeg(i),
            ))
            .await
            .unwrap();
    }
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-preop").await;
    let doc_id = s
        .outbox()
        .queue_upload(Upload::new(
            "30000032",
            "preop",
            "p4.jpg",
            chartdesk_sandbox::demo_jpeg(9),
        ))
        .await
        .unwrap();
    let report = s
        .outbox()
        .drain_outbox(1, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!(report.failed, 1, "asked, not dropped");
    let item = &s.outbox().items().await.unwrap()[0];
    assert_eq!(item.last_error_code.as_deref(), Some("preop_full"));
    assert!(item
        .last_error
        .as_deref()
        .unwrap_or_default()
        .starts_with("Preop already holds 3 images"));
    s.outbox().retry_outbox_item(&doc_id, true).await.unwrap();
    let report = s
        .outbox()
        .drain_outbox(1, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    let preop = setup.documents().list("30000032", "preop").await.unwrap();
    assert_eq!(preop.len(), 3);
    assert!(preop.iter().any(|r| r.id == doc_id));
}

#[tokio::test]
async fn four_preop_images_sent_together_attach_three_and_keep_the_fourth_for_the_user() {
    // The attached ones leave the outbox together (one transaction); the refused one stays,
    // whichever of the four it is and however the completes were batched.
    patient("30000047").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-preop-four").await;
    let mut queued = Vec::new();
    for i in 0..4u8 {
        let (name, image) = (format!("p{i}.jpg"), chartdesk_sandbox::demo_jpeg(20 + i));
        let up = Upload::new("30000047", "preop", &name, image);
        queued.push(s.outbox().queue_upload(up).await.unwrap());
    }
    let report = s
        .outbox()
        .drain_outbox(4, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.failed), (3, 1));
    let left = s.outbox().items().await.unwrap();
    assert_eq!(left.len(), 1, "only the refused image is kept");
    assert_eq!(left[0].last_error_code.as_deref(), Some("preop_full"));
    let preop = s.documents().list("30000047", "preop").await.unwrap();
    let mut attached: Vec<&str> = preop.iter().map(|r| r.id.as_str()).collect();
    attached.sort_unstable();
    let mut expected: Vec<&str> = queued
        .iter()
        .map(String::as_str)
        .filter(|id| *id != left[0].doc_id)
        .collect();
    expected.sort_unstable();
    assert_eq!(
        attached, expected,
        "the three that left the outbox are attached"
    );
}

#[tokio::test]
async fn a_multipart_upload_cut_off_mid_transfer_resumes_with_the_parts_already_sent() {
    use chartdesk_records::store::part_journal::PartJournal;
    use chartdesk_records::store::transfer::PART_SIZE;
    patient("30000040").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "resume-parts").await;
    // A long scan: a PDF of six parts (its content is checked by its magic bytes).
    let mut body = demo_pdf("Long scan", "many pages");
    body.extend((0..PART_SIZE * 5 + 1234).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8));
    // Queued from disk, as the CLI and the window do: kept in chunks and sent a part at a time.
    let file = dir.path().join("long.pdf");
    std::fs::write(&file, &body).unwrap();
    let doc_id = s
        .outbox()
        .queue_file(&file, "30000040", "lab", false)
        .await
        .unwrap();
    let journal_key = format!("doc/{doc_id}");
    let cache = s.cache().await.unwrap();

    // The process "dies" (the send is dropped, no clean-up) once S3 has accepted a part.
    let recorded = tokio::select! {
        _ = s.outbox().drain_outbox(1, |_| chartdesk_records::store::Progress::silent()) => {
            panic!("the upload finished before any part was recorded")
        }
        recorded = async {
            loop {
                if let Some(r) = cache.recall(&journal_key).await.filter(|r| !r.parts.is_empty()) {
                    break r;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        } => recorded,
    };
    assert!(s
        .documents()
        .list("30000040", "lab")
        .await
        .unwrap()
        .is_empty());

    let first = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = first.clone();
    // The first bytes counted: whole recorded parts when resumed, one 64 KiB slice if not.
    let report = s
        .outbox()
        .drain_outbox(1, move |_| {
            let seen = seen.clone();
            chartdesk_records::store::Progress::new(move |sent, _| {
                if sent > 0 {
                    seen.lock().unwrap().get_or_insert(sent);
                }
            })
        })
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let resumed_from = first.lock().unwrap().unwrap_or_default();
    assert!(
        resumed_from >= (recorded.parts.len() * PART_SIZE) as u64,
        "the recorded parts were not sent again (resumed at {resumed_from} bytes)"
    );
    let rows = s.documents().list("30000040", "lab").await.unwrap();
    assert_eq!(rows.len(), 1);
    crate::local_cloud::cloud()
        .processed("30000040", &rows[0].id)
        .await;
    let opened = s.documents().open("30000040", &rows[0].id).await.unwrap();
    assert!(
        opened.bytes == body,
        "resumed parts reassemble to the same bytes"
    );
    assert!(
        cache.recall(&journal_key).await.is_none(),
        "the journal is cleared"
    );
    assert_eq!(
        open_uploads("patients/30000040/").await,
        0,
        "no multipart upload left open"
    );
}

#[tokio::test]
async fn the_network_dropping_mid_upload_leaves_it_queued_and_it_lands_once_when_back() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000035").await;
    let switch = std::sync::Arc::new(NetworkSwitch::start(&cloud().endpoint).await);
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-mid-cut").await;
    let tiff = big_tiff();
    s.outbox()
        .queue_upload(Upload::new(
            "30000035",
            "radiology",
            "ct.tiff",
            tiff.clone(),
        ))
        .await
        .unwrap();
    let cutter = switch.clone();
    let report = s
        .outbox()
        .drain_outbox(1, move |_| {
            let cutter = cutter.clone();
            chartdesk_records::store::Progress::new(move |sent, _| {
                if sent > 3 * 1024 * 1024 {
                    cutter.cut();
                }
            })
        })
        .await
        .unwrap();
    assert_eq!(
        (report.sent, report.left),
        (0, 1),
        "cut mid-transfer: still queued"
    );
    assert!(setup
        .documents()
        .list("30000035", "radiology")
        .await
        .unwrap()
        .is_empty());

    switch.restore();
    let report = s
        .outbox()
        .drain_outbox(1, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.left), (1, 0));
    let rows = setup
        .documents()
        .list("30000035", "radiology")
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "exactly once");
    crate::local_cloud::cloud()
        .processed("30000035", &rows[0].id)
        .await;
    let opened = setup
        .documents()
        .open("30000035", &rows[0].id)
        .await
        .unwrap();
    assert!(opened.bytes == tiff);
}

#[tokio::test]
async fn an_offline_view_the_server_refuses_never_holds_uploads_back() {
    patient("30000051").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "bad-view").await;
    // A view the server will not take (a record number of no valid form).
    let bad = serde_json::json!({
        "event_id": uuid::Uuid::now_v7(), "at": "2026-01-01T00:00:00Z", "actor": "nurse.hughes",
        "action": "view", "mrn": "not an mrn", "doc_id": null
    });
    s.cache()
        .await
        .unwrap()
        .queue_audit("audit/bad.json", bad.to_string())
        .await
        .unwrap();
    s.outbox()
        .queue_upload(Upload::new(
            "30000051",
            "lab",
            "after.pdf",
            demo_pdf("a", "b"),
        ))
        .await
        .unwrap();
    let report = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "the upload went up: {report:?}");
}
