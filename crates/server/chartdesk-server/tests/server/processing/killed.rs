//! A worker killed mid-document: its notice comes back once the queue's visibility timeout
//! passes, and the next worker finishes the document exactly once. Real SQS (moto) and S3, on a
//! bucket and queue of the test's own so the sandbox's worker never sees them; the kill is an
//! abort of the worker's task once it has stored the first page of a three-page scan.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use chartdesk::cloud::CloudClients;
use chartdesk::domain::{keys, Category, DocumentEntry, Manifest, Mrn, ProcessingState, Sent};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::{ObjectStore, RecordStore};
use chartdesk_worker::queue::{run, QueueSettings};
use chartdesk_worker::{Scanner, Worker, WorkerSettings};
use uuid::Uuid;

use super::files::{tiff, Files};

const BUCKET: &str = "kill-test-records";

#[tokio::test]
async fn a_worker_killed_mid_document_leaves_it_to_the_next_which_records_it_exactly_once() {
    let cloud = chartdesk_testkit::cloud();
    let profile = cloud.profile();
    let clients = CloudClients::new(&profile).await;
    let store = ObjectStore::new(clients.s3.clone(), BUCKET.into());
    store.ensure_bucket().await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(&clients.shared);
    let queue = sqs
        .create_queue()
        .queue_name("kill-test")
        .attributes(QueueAttributeName::VisibilityTimeout, "2")
        .send()
        .await
        .unwrap();
    let queue_url = queue.queue_url().unwrap().to_string();

    // A queued three-page scan, as an upload leaves it, and the notice S3 would send.
    let files = Files::new();
    let pages: Vec<_> = ["First page", "Second page", "Third page"]
        .iter()
        .map(|line| files.picture_of(&[line]))
        .collect();
    let scan = tiff(&pages.iter().collect::<Vec<_>>());
    let mrn = Mrn::from_stored("30000081").unwrap();
    let id = Uuid::now_v7();
    let key = keys::original(&mrn, Category::Radiology, id, "tif");
    let sent = Sent {
        category: Category::Radiology,
        file_name: "ward-scan.tif",
        content_type: "image/tiff",
        bytes: &scan,
        by: "nurse.hughes",
        at: time::OffsetDateTime::now_utc(),
    };
    let entry = DocumentEntry::queued(id, sent);
    let mut manifest = Manifest::new();
    manifest.documents.push(entry);
    store
        .put_json(&keys::manifest(&mrn), &manifest, Write::Create)
        .await
        .unwrap();
    store
        .put(&key, scan, "image/tiff", Write::Create)
        .await
        .unwrap();
    let notice = serde_json::json!({"Records": [{"eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}]});
    sqs.send_message()
        .queue_url(&queue_url)
        .message_body(notice.to_string())
        .send()
        .await
        .unwrap();

    let store: Arc<dyn RecordStore> = Arc::new(store);
    let worker = || {
        let worker = Worker::new(
            store.clone(),
            store.clone(),
            Arc::new(time::OffsetDateTime::now_utc),
            WorkerSettings {
                // The verdict is not what this test is about (GuardDuty's: none yet).
                scanner: Scanner::GuardDuty,
                max_bytes: 200 * 1024 * 1024,
            },
        );
        let settings = QueueSettings {
            queue_url: queue_url.clone(),
            bucket: BUCKET.into(),
            retry_after: Duration::from_secs(1),
        };
        tokio::spawn(run(Arc::new(worker), sqs.clone(), settings))
    };

    // Killed once the first page's preview is stored, before the rest and the record.
    let first = worker();
    let page_1 = keys::page_optimized(&mrn, Category::Radiology, id, 1);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !store.exists(&page_1).await.unwrap() {
        assert!(Instant::now() < deadline, "the first worker never began");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.abort();
    let _ = first.await;
    let outcome = |m: Manifest| m.documents[0].processing.clone().unwrap();
    let now: Manifest = store
        .get_json(&keys::manifest(&mrn))
        .await
        .unwrap()
        .unwrap()
        .value;
    assert_eq!(
        outcome(now).state,
        ProcessingState::Queued,
        "killed before recording"
    );

    // The next worker gets the notice back and finishes the document.
    let second = worker();
    let deadline = Instant::now() + Duration::from_secs(60);
    let done = loop {
        let m: Manifest = store
            .get_json(&keys::manifest(&mrn))
            .await
            .unwrap()
            .unwrap()
            .value;
        if outcome(m.clone()).state != ProcessingState::Queued {
            break m;
        }
        assert!(Instant::now() < deadline, "the notice never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    second.abort();
    let p = done.documents[0].processing.clone().unwrap();
    assert_eq!((p.state, p.preview_pages), (ProcessingState::Done, 3));
    assert_eq!(
        done.documents[0].variants.len(),
        6,
        "3 previews and 3 thumbnails, once each"
    );
    let events = store.list_keys("audit/by-patient/30000081/").await.unwrap();
    assert_eq!(
        events.len(),
        1,
        "one audit event for the document: {events:?}"
    );
}
