//! Images in the outbox go up as their originals alone, however they were queued: whole (as
//! items queued before outbox chunks, when the desktop still made previews at send time) or
//! in chunks. Nothing is lost: each lands once, and the server's worker makes the previews.

use std::sync::{Arc, Mutex};

use chartdesk::services::{FileUpload, Upload, UploadOutcome};
use chartdesk_sandbox::demo_jpeg;

use crate::local_cloud::cloud;
use crate::network_switch::{signed_in_via, NetworkSwitch};
use crate::outbox_window::staged_file;
use crate::upload::patient;

#[tokio::test]
async fn queued_images_whole_or_in_chunks_send_their_originals_alone_and_land_once() {
    patient("30000042").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "outbox-images", "nurse.hughes").await;
    switch.cut();
    let whole = demo_jpeg(41);
    s.outbox()
        .queue_upload(Upload::new(
            "30000042",
            "intraop",
            "whole.jpg",
            whole.clone(),
        ))
        .await
        .unwrap();
    let chunked = small_tiff();
    let staged = staged_file(&chunked);
    let upload = FileUpload {
        path: staged.path(),
        file_name: "chunked.tiff",
        mrn: "30000042",
        category: "intraop",
        replace_oldest: false,
        cancel: tokio_util::sync::CancellationToken::new(),
        progress: chartdesk_records::store::Progress::silent(),
    };
    let queued = s.outbox().add_file(upload).await.unwrap();
    assert!(
        matches!(queued, UploadOutcome::Queued { .. }),
        "kept while offline"
    );

    switch.restore();
    let totals = Arc::new(Mutex::new(Vec::new()));
    let report = s
        .outbox()
        .drain_outbox(2, |_| {
            let totals = totals.clone();
            let slot = {
                let mut t = totals.lock().unwrap();
                t.push(0);
                t.len() - 1
            };
            chartdesk_records::store::Progress::new(move |_, total| {
                totals.lock().unwrap()[slot] = total
            })
        })
        .await
        .unwrap();
    assert_eq!((report.sent, report.left), (2, 0), "{report:?}");
    let mut sent = totals.lock().unwrap().clone();
    sent.sort_unstable();
    let mut sizes = vec![whole.len() as u64, chunked.len() as u64];
    sizes.sort_unstable();
    assert_eq!(sent, sizes, "each item sent its original and nothing else");
    let rows = s.documents().list("30000042", "intraop").await.unwrap();
    assert_eq!(rows.len(), 2, "nothing lost, nothing doubled");
    let store = cloud().admin_store().await;
    let originals = store
        .list_keys("patients/30000042/originals/")
        .await
        .unwrap();
    assert_eq!(originals.len(), 2, "{originals:?}");
}

/// A small TIFF (the outbox keeps every file in chunks, whatever its size).
fn small_tiff() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Tiff).unwrap();
    out.into_inner()
}
