//! The server's verdict, as the desktop sees it: the sandbox's real scanner (clamd) finds the
//! EICAR test string in an uploaded image, the list shows it blocked, and it can neither be
//! opened nor previewed; a clean file becomes openable. Also: the patient-wide search.

use std::time::{Duration, Instant};

use chartdesk::services::{Services, Upload};
use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::{DocumentRow, ScanStatus};
use chartdesk_sandbox::launch::scanner::EICAR;
use chartdesk_sandbox::{demo_jpeg, demo_pdf};

use crate::local_cloud::cloud;
use crate::upload::patient;

/// The row once the server's worker gave its verdict (within 60 s).
async fn verdict(s: &Services, mrn: &str, category: &str, id: &str) -> DocumentRow {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = s.documents().list(mrn, category).await.unwrap();
        let row = rows.into_iter().find(|r| r.id == id).unwrap();
        if row.scan_status != ScanStatus::Pending {
            return row;
        }
        assert!(Instant::now() < deadline, "no verdict for {id}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn an_image_carrying_a_virus_is_shown_blocked_and_cannot_be_opened_or_previewed() {
    let s = cloud().signed_in("nurse.hughes").await;
    patient("30000021").await;
    let mut infected = demo_jpeg(4);
    infected.extend_from_slice(EICAR.as_bytes());
    let bad = s
        .documents()
        .upload(Upload::new("30000021", "radiology", "knee.jpg", infected))
        .await
        .unwrap();
    assert_eq!(bad.scan_status, ScanStatus::Pending, "as uploaded");
    let good = s
        .documents()
        .upload(Upload::new(
            "30000021",
            "radiology",
            "hip.jpg",
            demo_jpeg(5),
        ))
        .await
        .unwrap();

    let listed = verdict(&s, "30000021", "radiology", &bad.id).await;
    assert_eq!(listed.scan_status, ScanStatus::Infected);
    assert!(!listed.can_open);
    assert!(listed.status_note.unwrap().starts_with("Blocked"));
    let refused = s.documents().open("30000021", &bad.id).await.unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::Infected);
    assert!(s
        .documents()
        .thumbnail("30000021", &bad.id)
        .await
        .unwrap()
        .is_none());

    let listed = verdict(&s, "30000021", "radiology", &good.id).await;
    assert_eq!(listed.scan_status, ScanStatus::Clean);
    assert!(listed.has_thumbnail, "the server made its preview");
    assert!(s.documents().open("30000021", &good.id).await.is_ok());
}

#[tokio::test]
async fn a_pdf_has_no_thumbnail_until_processed_and_the_patient_search_spans_categories() {
    let s = cloud().signed_in("nurse.hughes").await;
    patient("30000022").await;
    let pdf = s
        .documents()
        .upload(Upload::new(
            "30000022",
            "lab",
            "FBC results.pdf",
            demo_pdf("a", "b"),
        ))
        .await
        .unwrap();
    assert!(
        !pdf.has_thumbnail,
        "until the server made its first-page thumbnail"
    );
    s.documents()
        .upload(Upload::new(
            "30000022",
            "discharge",
            "fbc-followup.pdf",
            demo_pdf("c", "d"),
        ))
        .await
        .unwrap();
    s.documents()
        .upload(Upload::new(
            "30000022",
            "preop",
            "consent.jpg",
            demo_jpeg(1),
        ))
        .await
        .unwrap();
    let found = s.documents().search("30000022", "fbc").await.unwrap();
    let names: Vec<&str> = found.iter().map(|r| r.file_name.as_str()).collect();
    assert_eq!(
        names,
        ["fbc-followup.pdf", "FBC results.pdf"],
        "newest first"
    );
    let by_category = s.documents().search("30000022", "Preop").await.unwrap();
    assert_eq!(by_category.len(), 1);
}

/// Complete checks an upload with one HEAD and reads nothing back (issue 25 item 1). Real S3
/// refuses a body unlike its signed checksum; moto stores it, so here the bytes are proven by
/// the worker's whole-file check: attached as waiting, then marked corrupted, never opened.
#[tokio::test]
async fn bytes_other_than_declared_that_the_store_kept_are_marked_corrupted_and_never_opened() {
    use chartdesk_sandbox::demo_pdf;
    use sha2::{Digest, Sha256};
    let c = cloud();
    patient("30000023").await;
    let token = c.tokens("nurse.hughes").await.access;
    let declared = demo_pdf("Lab", "the declared report");
    let mut sent = demo_pdf("Lab", "another report altogether");
    sent.resize(declared.len(), b' ');
    let upload = serde_json::json!({
        "doc_id": uuid::Uuid::now_v7(),
        "mrn": "30000023",
        "category": "lab",
        "file_name": "u-and-e.pdf",
        "content_type": "application/pdf",
        "size": declared.len(),
        "sha256": hex::encode(Sha256::digest(&declared)),
    });
    let http = reqwest::Client::new();
    let post = |path: &str, body: &serde_json::Value| {
        http.post(format!("{}{path}", c.server_url))
            .bearer_auth(&token)
            .json(body)
            .send()
    };
    let started: serde_json::Value = post("/v1/uploads", &upload)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let put = &started["objects"][0]["put"];
    let mut request = http.put(put["url"].as_str().unwrap()).body(sent);
    for h in put["headers"].as_array().unwrap() {
        request = request.header(h["name"].as_str().unwrap(), h["value"].as_str().unwrap());
    }
    assert!(
        request.send().await.unwrap().status().is_success(),
        "moto keeps it"
    );
    let done: serde_json::Value = post(
        "/v1/uploads/complete",
        &serde_json::json!({ "uploads": [upload] }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(done["results"][0]["outcome"], "attached", "{done}");

    let s = c.signed_in("dr.okafor").await;
    let id = upload["doc_id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let row = loop {
        let rows = s.documents().list("30000023", "lab").await.unwrap();
        let row = rows.into_iter().find(|r| r.id == id).unwrap();
        if row
            .status_note
            .as_deref()
            .is_some_and(|n| n.contains("not the file that was sent"))
        {
            break row;
        }
        assert!(
            Instant::now() < deadline,
            "not marked corrupted: {:?}",
            row.status_note
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(!row.can_open);
    let refused = s.documents().open("30000023", id).await.unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::Integrity);
}
