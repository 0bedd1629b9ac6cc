//! The viewer's renditions through the core (issue 10 item 6): an image's optimized JPEG and its
//! original, each checked against the SHA-256 the server gives, and both kept offline.

use chartdesk::services::DocumentView;
use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;

use crate::local_cloud::cloud;
use crate::network_switch::{signed_in_via, NetworkSwitch};

#[tokio::test]
async fn a_tiff_scan_opens_optimized_online_and_offline_and_its_original_on_request() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "renditions", "dr.okafor").await;
    s.patients().find("MRN 10000009").await.unwrap();
    let scans = s.documents().list("10000009", "radiology").await.unwrap();
    let scan = &scans[0];
    assert!(scan.has_optimized && scan.content_type == "image/tiff");

    let optimized = s
        .documents()
        .open_as("10000009", &scan.id, DocumentView::Optimized)
        .await
        .unwrap();
    assert_eq!(optimized.view, DocumentView::Optimized);
    assert_eq!(optimized.content_type, "image/jpeg");
    assert_eq!(&optimized.bytes[..3], &[0xFF, 0xD8, 0xFF]);
    let original = s
        .documents()
        .open_as("10000009", &scan.id, DocumentView::Original)
        .await
        .unwrap();
    assert_eq!(original.view, DocumentView::Original);
    assert_eq!(&original.bytes[..4], b"II*\0");
    assert_eq!(original.bytes.len() as u64, scan.size);

    // A preop JPEG of another patient opened as its original only, before the network drops.
    s.patients().find("MRN 10000008").await.unwrap();
    let preop = s.documents().list("10000008", "preop").await.unwrap();
    s.documents().open("10000008", &preop[0].id).await.unwrap();

    switch.cut();
    let again = s
        .documents()
        .open_as("10000009", &scan.id, DocumentView::Optimized)
        .await
        .unwrap();
    assert_eq!(again.view, DocumentView::Optimized);
    assert_eq!(again.bytes, optimized.bytes, "kept offline");
    let not_kept = s
        .documents()
        .open_as("10000008", &preop[0].id, DocumentView::Optimized)
        .await
        .unwrap_err();
    assert_eq!(
        UiError::from(not_kept).code,
        ApiErrorCode::OptimizedNotKept,
        "offline, an image whose optimized JPEG was never fetched says so, as its original was kept"
    );
    let original = s
        .documents()
        .open_as("10000008", &preop[0].id, DocumentView::Original)
        .await
        .unwrap();
    assert_eq!(original.view, DocumentView::Original);
    let never = s
        .documents()
        .open_as("10000008", &preop[1].id, DocumentView::Optimized)
        .await
        .unwrap_err();
    assert_eq!(UiError::from(never).code, ApiErrorCode::Unreachable);
}
