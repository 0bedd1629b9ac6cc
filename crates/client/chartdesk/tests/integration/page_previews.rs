//! Every page of a TIFF scan through the core: each page's preview opens on its own, checked
//! against the SHA-256 the server gives, and a page opened online is kept for offline; one never
//! opened is not there offline.

use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::{keys, Category, Manifest, Mrn, Processing, ProcessingState};
use chartdesk_records::store::object_store::Write;
use chartdesk_sandbox::demo_jpeg;

use crate::cache_per_patient::add_image;
use crate::local_cloud::{cloud, seed_patient};
use crate::network_switch::{signed_in_via, NetworkSwitch};

/// A preop image of three pages as the worker leaves it: page previews 2 and 3 beside the
/// first, and its outcome recorded.
async fn three_page_scan(mrn: &str) -> (uuid::Uuid, Vec<Vec<u8>>) {
    seed_patient(mrn, &[]).await;
    let id = uuid::Uuid::now_v7();
    let pages: Vec<Vec<u8>> = (0..3).map(|i| demo_jpeg(60 + i)).collect();
    add_image(mrn, id, &pages[0]).await;
    let store = cloud().admin_store().await;
    let stored = Mrn::from_stored(mrn).unwrap();
    let mut later = Vec::new();
    for (page, bytes) in (2..).zip(&pages[1..]) {
        let key = keys::page_optimized(&stored, Category::Preop, id, page);
        store
            .put_bytes(&key, bytes.clone(), "image/jpeg", Write::Create)
            .await
            .unwrap();
        later.push(key);
    }
    let read = store
        .get_json::<Manifest>(&keys::manifest(&stored))
        .await
        .unwrap()
        .unwrap();
    let mut manifest = read.value;
    let entry = manifest.documents.iter_mut().find(|d| d.id == id).unwrap();
    entry.variants.extend(later);
    entry.processing = Some(Processing {
        state: ProcessingState::Done,
        pages: Some(3),
        preview_pages: 3,
        ..Processing::queued()
    });
    store
        .put_json(
            &keys::manifest(&stored),
            &manifest,
            Write::IfMatch(read.etag),
        )
        .await
        .unwrap();
    (id, pages)
}

#[tokio::test]
async fn each_page_of_a_scan_opens_checked_and_a_page_opened_online_is_kept_for_offline() {
    let mrn = "30002401";
    let (id, pages) = three_page_scan(mrn).await;
    let doc = id.to_string();
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "page-previews", "dr.okafor").await;
    s.patients().find(&format!("MRN {mrn}")).await.unwrap();
    let rows = s.documents().list(mrn, "preop").await.unwrap();
    assert_eq!(rows[0].pages, Some(3));

    let third = s.documents().open_page(mrn, &doc, 3).await.unwrap();
    assert_eq!(third.bytes, pages[2], "page 3's own preview");
    assert_eq!(third.content_type, "image/jpeg");
    let first = s.documents().open_page(mrn, &doc, 1).await.unwrap();
    assert_eq!(first.bytes, pages[0]);

    switch.cut();
    let again = s.documents().open_page(mrn, &doc, 3).await.unwrap();
    assert_eq!(again.bytes, pages[2], "kept offline");
    let never = s.documents().open_page(mrn, &doc, 2).await.unwrap_err();
    assert_eq!(UiError::from(never).code, ApiErrorCode::Unreachable);
}
