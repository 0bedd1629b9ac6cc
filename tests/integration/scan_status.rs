//! The virus scanner's verdict arrives as an S3 object tag; the list shows it and an infected
//! file can neither be opened nor previewed. Also: thumbnails and the patient-wide search.

use aws_sdk_s3::types::{Tag, Tagging};
use chartdesk::domain::{keys, Category, Mrn, ScanStatus};
use chartdesk::sandbox::{demo_jpeg, demo_pdf};
use chartdesk::services::Upload;
use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;

use crate::local_cloud::cloud;
use crate::upload::patient;

async fn tag(key: &str, value: &str) {
    let tagging = Tagging::builder()
        .tag_set(
            Tag::builder()
                .key(ScanStatus::TAG)
                .value(value)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    chartdesk::cloud::CloudClients::new(&crate::local_cloud::cloud().profile())
        .await
        .s3
        .put_object_tagging()
        .bucket(crate::local_cloud::cloud().admin_store().await.bucket())
        .key(key)
        .tagging(tagging)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_scanners_tag_is_shown_and_an_infected_file_cannot_be_opened_or_previewed() {
    let s = cloud().signed_in("nurse.hughes").await;
    patient("30000021").await;
    let row = s
        .upload_document(Upload::new(
            "30000021",
            "radiology",
            "knee.jpg",
            demo_jpeg(4),
        ))
        .await
        .unwrap();
    assert_eq!(
        row.scan_status,
        ScanStatus::Pending,
        "untagged: as uploaded"
    );
    // The thumbnail is the server's worker's to make (the client sends the original only).
    assert!(!row.has_thumbnail);

    let id = row.id.parse().unwrap();
    let key = keys::original(
        &Mrn::from_stored("30000021").unwrap(),
        Category::Radiology,
        id,
        "jpg",
    );
    tag(&key, "infected").await;
    let listed = s.list_documents("30000021", "radiology").await.unwrap();
    assert_eq!(listed[0].scan_status, ScanStatus::Infected);
    assert!(!listed[0].can_open);
    let refused = s.open_document("30000021", &row.id).await.unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::Infected);
    assert!(s
        .document_thumbnail("30000021", &row.id)
        .await
        .unwrap()
        .is_none());

    tag(&key, "clean").await;
    let listed = s.list_documents("30000021", "radiology").await.unwrap();
    assert_eq!(listed[0].scan_status, ScanStatus::Clean);
    assert!(s.open_document("30000021", &row.id).await.is_ok());
}

#[tokio::test]
async fn a_pdf_has_no_thumbnail_and_the_patient_search_spans_categories() {
    let s = cloud().signed_in("nurse.hughes").await;
    patient("30000022").await;
    let pdf = s
        .upload_document(Upload::new(
            "30000022",
            "lab",
            "FBC results.pdf",
            demo_pdf("a", "b"),
        ))
        .await
        .unwrap();
    assert!(!pdf.has_thumbnail);
    assert!(s
        .document_thumbnail("30000022", &pdf.id)
        .await
        .unwrap()
        .is_none());
    s.upload_document(Upload::new(
        "30000022",
        "discharge",
        "fbc-followup.pdf",
        demo_pdf("c", "d"),
    ))
    .await
    .unwrap();
    s.upload_document(Upload::new(
        "30000022",
        "preop",
        "consent.jpg",
        demo_jpeg(1),
    ))
    .await
    .unwrap();
    let found = s.search_documents("30000022", "fbc").await.unwrap();
    let names: Vec<&str> = found.iter().map(|r| r.file_name.as_str()).collect();
    assert_eq!(
        names,
        ["fbc-followup.pdf", "FBC results.pdf"],
        "newest first"
    );
    let by_category = s.search_documents("30000022", "Preop").await.unwrap();
    assert_eq!(by_category.len(), 1);
}
