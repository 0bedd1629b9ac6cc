//! At-least-once delivery, exactly-once outcomes: a notice delivered again (a worker killed
//! mid-document, a visibility timeout) records nothing twice; a file that always fails ends in
//! the dead-letter queue and shows *processing failed*; a stored file that is not the file
//! recorded is *corrupted*, whether written whole or sent through the API in parts whose own
//! checksums hold.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chartdesk_domain::upload_protocol::PART_SIZE;
use chartdesk_domain::{keys, sha256_hex, Category, DocumentEntry, Manifest, Mrn};
use chartdesk_domain::{ProcessingState, Sent};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::RecordStore;
use chartdesk_records::update_manifest;
use chartdesk_worker::{Handled, Notice, Scanner, Worker, WorkerSettings};
use serde_json::json;
use uuid::Uuid;

use super::files::{pdf, Page};
use super::{list, processed, upload};
use crate::harness::{api, token};
use crate::uploads::{complete, declaration};

fn worker(store: Arc<dyn RecordStore>) -> Worker {
    Worker::new(
        store.clone(),
        store,
        Arc::new(time::OffsetDateTime::now_utc),
        WorkerSettings {
            // Never reached: an outcome already recorded ends the pass before any scan.
            scanner: Scanner::GuardDuty,
            max_bytes: 50 * 1024 * 1024,
        },
    )
}

#[tokio::test]
async fn a_notice_delivered_again_records_its_outcome_and_audit_once() {
    super::fresh_patient("30000005").await;
    let bytes = pdf(&[Page::Typed(&["Creatinine 88"])]);
    let id = upload(
        "30000005",
        "lab",
        "creatinine.pdf",
        "application/pdf",
        &bytes,
    )
    .await;
    processed("30000005", id).await;
    let store: Arc<dyn RecordStore> = Arc::new(chartdesk_testkit::cloud().admin_store().await);
    let mrn = Mrn::from_stored("30000005").unwrap();
    let key = keys::original(&mrn, Category::Lab, id, "pdf");
    let again = Notice::Landed { key };
    let w = worker(store);
    let (a, b) = tokio::join!(w.handle(&again, false), w.handle(&again, false));
    assert_eq!(
        (a.unwrap(), b.unwrap()),
        (Handled::AlreadyDone, Handled::AlreadyDone)
    );
    let events = chartdesk_testkit::cloud().audit_events().await;
    let processed_events = events
        .iter()
        .filter(|e| e["doc_id"] == id.to_string() && e["action"] == "processed")
        .count();
    assert_eq!(processed_events, 1);
}

/// Writes a queued entry and then its original, as an upload would, but with `recorded` as
/// the SHA-256 on record.
async fn land(mrn: &str, body: &[u8], recorded: &str, content_type: &str, ext: &str) -> Uuid {
    let store = chartdesk_testkit::cloud().admin_store().await;
    let mrn = Mrn::from_stored(mrn).unwrap();
    let id = Uuid::now_v7();
    let name = format!("landed.{ext}");
    let sent = Sent {
        category: Category::Lab,
        file_name: &name,
        content_type,
        bytes: body,
        by: "nurse.hughes",
        at: time::OffsetDateTime::now_utc(),
    };
    let mut entry = DocumentEntry::queued(id, sent);
    entry.sha256 = recorded.into();
    update_manifest(&store, &mrn, |m: &mut Manifest| {
        m.add(entry.clone());
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    let key = keys::original(&mrn, Category::Lab, id, ext);
    store
        .put(&key, body.to_vec(), content_type, Write::Create)
        .await
        .unwrap();
    id
}

/// A single-PUT original is checked whole when its upload completes, so only one changed in
/// the bucket afterwards (or written past the API) reaches the worker different, as here.
#[tokio::test]
async fn a_stored_original_whose_whole_sha256_differs_from_the_record_is_marked_corrupted() {
    super::fresh_patient("30000006").await;
    let stored = pdf(&[Page::Typed(&["What was stored"])]);
    let sent = pdf(&[Page::Typed(&["What was sent"])]);
    let id = land(
        "30000006",
        &stored,
        &sha256_hex(&sent),
        "application/pdf",
        "pdf",
    )
    .await;
    let entry = processed("30000006", id).await;
    assert_eq!(entry.processing.unwrap().state, ProcessingState::Corrupted);
    let rows = list(&api(), "30000006", "category=lab").await;
    let row = rows.iter().find(|r| r["id"] == id.to_string()).unwrap();
    assert_eq!(row["can_open"], false);
}

/// A PDF by its magic bytes, `size` long, its bytes after the first part all `tail`.
fn pdf_of_size(size: usize, tail: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.resize(PART_SIZE, b' ');
    bytes.resize(size, tail);
    bytes
}

#[tokio::test]
async fn a_multipart_original_whose_whole_sha256_differs_from_the_record_is_marked_corrupted() {
    const MRN: &str = "30000086";
    super::fresh_patient(MRN).await;
    // Just over one part (as a desktop on the old 8 MiB threshold sends it): two parts, the
    // second differing.
    let size = PART_SIZE + 1024 * 1024;
    let sent = pdf_of_size(size, b'a');
    let stored = pdf_of_size(size, b'b');
    let parts: Vec<&[u8]> = stored.chunks(PART_SIZE).collect();
    assert_eq!(parts.len(), 2);
    let mut decl = declaration(MRN, "lab", "long-scan.pdf", "application/pdf", &sent);
    // What a client declares is its own word: the server checks the parts against it, and
    // only the worker reads the whole file.
    decl["part_sha256"] = json!(parts.iter().map(|p| sha256_hex(p)).collect::<Vec<_>>());

    let api = api();
    let t = token("nurse.hughes").await;
    let (status, started) = api.post(&t, "/v1/uploads", &decl).await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["part_size"], PART_SIZE, "{started}");
    let multipart = &started["objects"][0]["multipart"];
    let mut etags = Vec::new();
    for (part, bytes) in multipart["parts"].as_array().unwrap().iter().zip(&parts) {
        let request = &part["request"];
        let mut put = api.http.put(request["url"].as_str().unwrap());
        for h in request["headers"].as_array().unwrap() {
            put = put.header(h["name"].as_str().unwrap(), h["value"].as_str().unwrap());
        }
        let r = put.body(bytes.to_vec()).send().await.unwrap();
        assert!(r.status().is_success(), "part PUT {}", r.status());
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        etags.push(json!({ "number": part["number"], "etag": etag }));
    }
    decl["multipart_upload_id"] = multipart["upload_id"].clone();
    decl["parts"] = json!(etags);
    let results = complete(&api, &t, std::slice::from_ref(&decl)).await;
    assert_eq!(results[0]["outcome"], "attached", "{results:?}");
    let id: Uuid = decl["doc_id"].as_str().unwrap().parse().unwrap();

    let entry = processed(MRN, id).await;
    assert_eq!(entry.processing.unwrap().state, ProcessingState::Corrupted);
    let rows = list(&api, MRN, "category=lab").await;
    let row = rows.iter().find(|r| r["id"] == id.to_string()).unwrap();
    assert_eq!(row["can_open"], false, "{row}");
    assert!(
        row["status_note"]
            .as_str()
            .unwrap()
            .starts_with("The stored file is not the file that was sent"),
        "{row}"
    );
    let clinician = token("dr.okafor").await;
    let (status, body) = api
        .get(&clinician, &format!("/v1/patients/{MRN}/documents/{id}"))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("integrity")),
        "{body}"
    );
}

#[tokio::test]
async fn a_file_that_always_fails_ends_in_the_dead_letter_queue_and_shows_processing_failed() {
    super::fresh_patient("30000007").await;
    // A PNG by its magic bytes whose image data is garbage: no preview can ever be made.
    let mut broken = b"\x89PNG\r\n\x1a\n".to_vec();
    broken.extend(std::iter::repeat_n(0x5a, 4000));
    let id = land(
        "30000007",
        &broken,
        &sha256_hex(&broken),
        "image/png",
        "png",
    )
    .await;
    let entry = processed("30000007", id).await;
    let p = entry.processing.unwrap();
    assert_eq!(p.state, ProcessingState::Failed);
    assert!(p.message.is_some());
    let rows = list(&api(), "30000007", "category=lab").await;
    let row = rows.iter().find(|r| r["id"] == id.to_string()).unwrap();
    assert!(
        row["status_note"]
            .as_str()
            .unwrap()
            .starts_with("Processing failed"),
        "{row}"
    );

    // The notice itself is in the dead-letter queue for operators to see.
    let cloud = chartdesk_testkit::cloud();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(&cloud.sandbox().report.sandbox.endpoint)
        .credentials_provider(aws_sdk_sqs::config::Credentials::for_tests())
        .load()
        .await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let dead = sqs
        .get_queue_url()
        .queue_name("chartdesk-process-dead")
        .send()
        .await
        .unwrap();
    let dead = dead.queue_url().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = sqs
            .receive_message()
            .queue_url(dead)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        let bodies: Vec<String> = got
            .messages()
            .iter()
            .filter_map(|m| m.body().map(str::to_string))
            .collect();
        if bodies.iter().any(|b| b.contains(&id.to_string())) {
            break;
        }
        assert!(Instant::now() < deadline, "not in the dead-letter queue");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
