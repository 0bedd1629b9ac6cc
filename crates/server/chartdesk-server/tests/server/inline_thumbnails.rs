//! A list carries its first screen's thumbnails inside the answer (issue 13: a patient opens
//! in at most three requests), the same bytes its thumbnail URLs lead to. In-process.

use base64::Engine;

use crate::harness::token;
use crate::in_process::Local;

#[tokio::test]
async fn a_list_carries_the_first_screens_thumbnails_as_its_urls_serve_them() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, list) = api
        .get(&t, "/v1/patients/10000004/documents?category=preop")
        .await;
    assert_eq!(status, 200, "{list}");
    let rows = list["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let url = row["thumbnail_url"]
            .as_str()
            .expect("an image has a thumbnail URL");
        let inline = row["thumbnail"]
            .as_str()
            .expect("the first screen comes inline");
        let inline = base64::engine::general_purpose::STANDARD
            .decode(inline)
            .unwrap();
        let fetched = api.store.fetch(url).unwrap();
        assert_eq!(inline, fetched);
        assert_eq!(&inline[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    }
}

#[tokio::test]
async fn documents_without_a_thumbnail_carry_none_inline() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, list) = api
        .get(&t, "/v1/patients/10000004/documents?category=lab")
        .await;
    assert_eq!(status, 200, "{list}");
    for row in list["rows"].as_array().unwrap() {
        assert!(row["thumbnail_url"].is_null());
        assert!(row.get("thumbnail").is_none_or(|v| v.is_null()));
    }
}

/// A thumbnail larger than a list may carry inline (one written before the upload limit, or
/// straight to the bucket) keeps its URL and is never read whole into the answer.
#[tokio::test]
async fn a_thumbnail_too_large_to_carry_inline_keeps_its_url_and_the_small_one_comes_inline() {
    use chartdesk_domain::{keys, Category, DocumentEntry, DocumentStatus, Manifest, Mrn};
    use chartdesk_records::store::object_store::Write;
    use chartdesk_records::store::RecordStore;

    let api = Local::new().await;
    let mrn = "42000051";
    let (status, body) = api.put_patient(mrn, "9451600507", false, false).await;
    assert_eq!(status, 200, "{body}");
    let record = Mrn::from_stored(mrn).unwrap();
    let store: &dyn RecordStore = api.store.as_ref();
    let small = chartdesk_sandbox::demo_jpeg(7);
    let mut large = small.clone();
    large.resize(300 * 1024, 0);
    let mut manifest = Manifest::new();
    let mut ids = Vec::new();
    for thumb in [&large, &small] {
        let id = uuid::Uuid::now_v7();
        let original = keys::original(&record, Category::Preop, id, "jpg");
        let thumb_key = keys::thumb(&record, Category::Preop, id);
        for (key, bytes) in [(&original, &small), (&thumb_key, thumb)] {
            store
                .put_bytes(key, bytes.to_vec(), "image/jpeg", Write::Create)
                .await
                .unwrap();
        }
        manifest.add(DocumentEntry {
            id,
            category: Category::Preop,
            file_name: "photo.jpg".into(),
            content_type: "image/jpeg".into(),
            size: small.len() as u64,
            sha256: chartdesk_domain::sha256_hex(&small),
            created: time::OffsetDateTime::now_utc(),
            uploaded_by: "nurse.hughes".into(),
            variants: vec![thumb_key],
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: chartdesk_domain::ScanStatus::Clean,
            status_change: None,
            processing: None,
        });
        ids.push(id.to_string());
    }
    store
        .put_json(&keys::manifest(&record), &manifest, Write::Overwrite)
        .await
        .unwrap();

    let t = token("dr.okafor").await;
    let (status, list) = api
        .get(&t, &format!("/v1/patients/{mrn}/documents?category=preop"))
        .await;
    assert_eq!(status, 200, "{list}");
    let row = |id: &str| {
        list["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let (large_row, small_row) = (row(&ids[0]), row(&ids[1]));
    assert!(large_row["thumbnail_url"].is_string(), "{large_row}");
    assert!(
        large_row.get("thumbnail").is_none_or(|v| v.is_null()),
        "300 KiB is not carried inline"
    );
    assert!(small_row["thumbnail"].is_string(), "{small_row}");
}
