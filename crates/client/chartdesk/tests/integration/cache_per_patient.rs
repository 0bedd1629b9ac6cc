//! Issue 22 item 1: document ids need not be unique across patients, so the encrypted cache
//! keeps files per patient. A document cached for one patient is never answered for another
//! that holds a document under the same id: not its thumbnail, not its images, online or off.

use chartdesk::services::DocumentView;
use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::{keys, Category, DocumentEntry, DocumentStatus, Manifest, Mrn, ScanStatus};
use chartdesk_records::store::object_store::Write;
use chartdesk_sandbox::demo_jpeg;

use crate::local_cloud::{cloud, seed_patient};
use crate::network_switch::{signed_in_via, NetworkSwitch};

/// Adds a preop JPEG under `id` (with its thumbnail and optimized renditions, all `image`'s
/// bytes) to a seeded patient's record, bypassing the server as a reused id would arrive.
pub async fn add_image(mrn: &str, id: uuid::Uuid, image: &[u8]) {
    let store = cloud().admin_store().await;
    let mrn = Mrn::from_stored(mrn).unwrap();
    let category = Category::Preop;
    let original = keys::original(&mrn, category, id, "jpg");
    let (optimized, thumb) = (
        keys::optimized(&mrn, category, id),
        keys::thumb(&mrn, category, id),
    );
    for key in [&original, &optimized, &thumb] {
        store
            .put_bytes(key, image.to_vec(), "image/jpeg", Write::Create)
            .await
            .unwrap();
    }
    let read = store
        .get_json::<Manifest>(&keys::manifest(&mrn))
        .await
        .unwrap()
        .unwrap();
    let mut manifest = read.value;
    manifest.add(DocumentEntry {
        id,
        category,
        file_name: "scan.jpg".into(),
        content_type: "image/jpeg".into(),
        size: image.len() as u64,
        sha256: chartdesk_domain::sha256_hex(image),
        created: time::OffsetDateTime::now_utc(),
        uploaded_by: "nurse.hughes".into(),
        variants: vec![optimized, thumb],
        stamp: None,
        status: DocumentStatus::Attached,
        scan_status: ScanStatus::Clean,
        status_change: None,
        processing: None,
    });
    store
        .put_json(&keys::manifest(&mrn), &manifest, Write::IfMatch(read.etag))
        .await
        .unwrap();
}

/// Cuts the network and returns once the core sees it cut (a request already on its way
/// over a kept-alive connection may still have gone through).
pub async fn cut(switch: &NetworkSwitch, s: &chartdesk::Services) {
    switch.cut();
    while s.is_online().await {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_cache_holding_a_document_under_one_mrn_never_answers_it_for_another() {
    let (z, x) = ("30002201", "30002202");
    seed_patient(z, &[]).await;
    seed_patient(x, &[]).await;
    let id = uuid::Uuid::now_v7();
    let (zs_image, xs_image) = (demo_jpeg(201), demo_jpeg(202));
    add_image(z, id, &zs_image).await;
    add_image(x, id, &xs_image).await;
    let doc = id.to_string();

    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "cache-per-patient", "dr.okafor").await;
    // X is cached (opened, nothing of it viewed); Z's image is viewed every way.
    s.patients().find(&format!("MRN {x}")).await.unwrap();
    s.patients().find(&format!("MRN {z}")).await.unwrap();
    s.documents().list(z, "preop").await.unwrap();
    let thumb = s.documents().thumbnail(z, &doc).await.unwrap();
    assert!(thumb.as_deref() == Some(&zs_image[..]), "Z's own thumbnail");
    s.documents().open(z, &doc).await.unwrap();
    s.documents()
        .open_as(z, &doc, DocumentView::Optimized)
        .await
        .unwrap();

    // Offline, X's record holds a document under the same id: none of Z's bytes answer it.
    crate::cache_per_patient::cut(&switch, &s).await;
    s.patients().find(&format!("MRN {x}")).await.unwrap();
    let rows = s.documents().list(x, "preop").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        s.documents().thumbnail(x, &doc).await.unwrap().is_none(),
        "Z's thumbnail shown in X's record"
    );
    for view in [DocumentView::Optimized, DocumentView::Original] {
        let refused = s.documents().open_as(x, &doc, view).await.unwrap_err();
        assert_eq!(
            UiError::from(refused).code,
            ApiErrorCode::Unreachable,
            "{view:?}: never kept for X, so not available offline"
        );
    }
    // Z's own copies still serve Z.
    assert!(
        s.documents().thumbnail(z, &doc).await.unwrap().as_deref() == Some(&zs_image[..]),
        "Z's thumbnail kept for Z"
    );

    // Online again: X's own bytes, and Z's copies are not taken for them.
    switch.restore();
    assert!(s.is_online().await);
    s.documents().list(x, "preop").await.unwrap();
    assert!(
        s.documents().thumbnail(x, &doc).await.unwrap().as_deref() == Some(&xs_image[..]),
        "X's own thumbnail"
    );
    let opened = s
        .documents()
        .open_as(x, &doc, DocumentView::Optimized)
        .await
        .unwrap();
    assert!(opened.bytes == xs_image, "X's own optimized image");
    assert!(
        s.documents().thumbnail(z, &doc).await.unwrap().as_deref() == Some(&zs_image[..]),
        "each patient's own"
    );
}
