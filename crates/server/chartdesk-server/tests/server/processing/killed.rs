//! A worker killed mid-document: its notice comes back once the queue's visibility timeout
//! passes, and the next worker finishes the document exactly once. Real SQS (moto) and S3, on a
//! bucket and queue of the test's own so the sandbox's worker never sees them. The worker is the
//! server binary in worker mode, a real process, and the kill a SIGKILL once it has stored the
//! first page of a three-page scan.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use chartdesk_domain::{keys, Category, DocumentEntry, Manifest, Mrn, ProcessingState, Sent};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::{ObjectStore, RecordStore};
use uuid::Uuid;

use super::files::{tiff, Files};
use super::worker_process::WorkerProcess;

const BUCKET: &str = "kill-test-records";

#[tokio::test]
async fn a_worker_process_killed_mid_document_leaves_it_to_the_next_which_records_it_exactly_once()
{
    let cloud = chartdesk_testkit::cloud();
    let clients = cloud.admin_clients().await;
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
    manifest.add(entry);
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

    // Killed once the first page's preview is stored, before the rest and the record.
    let temp = chartdesk_testkit::tempdir();
    let first = WorkerProcess::start(BUCKET, &queue_url, temp.path()).await;
    let page_1 = keys::page_optimized(&mrn, Category::Radiology, id, 1);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !store.exists(&page_1).await.unwrap() {
        assert!(
            Instant::now() < deadline,
            "the first worker never began:\n{}",
            first.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill();
    assert_eq!(
        outcome(&store, &mrn).await.0,
        ProcessingState::Queued,
        "killed before recording"
    );
    // It could not remove its scratch folder: the scan is still on disk. An hour on, a worker
    // takes it for abandoned.
    let left = scratch_folders(temp.path());
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].join("original").exists());
    std::fs::File::open(&left[0])
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(2 * 3600))
        .unwrap();

    // Another worker process removes it as it starts, gets the notice back and finishes the
    // document.
    let second = WorkerProcess::start(BUCKET, &queue_url, temp.path()).await;
    assert!(!left[0].exists(), "the killed worker's scan is removed");
    let deadline = Instant::now() + Duration::from_secs(60);
    let done = loop {
        let (state, manifest) = outcome(&store, &mrn).await;
        if state != ProcessingState::Queued {
            break manifest;
        }
        assert!(
            Instant::now() < deadline,
            "the notice never came back:\n{}",
            second.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let entry = &done.documents[0];
    let p = entry.processing.clone().unwrap();
    assert_eq!((p.state, p.preview_pages), (ProcessingState::Done, 3));
    let mut variants = entry.variants.clone();
    variants.sort();
    variants.dedup();
    assert_eq!(
        (entry.variants.len(), variants.len()),
        (6, 6),
        "3 previews and 3 thumbnails, once each: {:?}",
        entry.variants
    );
    for page in 1..=3 {
        let preview = keys::page_optimized(&mrn, Category::Radiology, id, page);
        assert!(variants.contains(&preview), "page {page}");
    }
    // The audit follows the manifest's compare-and-swap: wait for it, then let the worker go
    // on for a while (a notice it might still hold) before counting.
    let deadline = Instant::now() + Duration::from_secs(30);
    while store
        .list_keys("audit/by-patient/30000081/")
        .await
        .unwrap()
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "no audit event:\n{}",
            second.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let events = store.list_keys("audit/by-patient/30000081/").await.unwrap();
    assert_eq!(
        events.len(),
        1,
        "one audit event for the document: {events:?}"
    );
    let (event, _) = store.get_bytes(&events[0]).await.unwrap().unwrap();
    let event: serde_json::Value = serde_json::from_slice(&event).unwrap();
    assert_eq!(
        (event["action"].as_str(), event["doc_id"].as_str()),
        (Some("processed"), Some(id.to_string().as_str())),
        "{event}"
    );
}

/// The document's processing state and the manifest it is in.
async fn outcome(store: &ObjectStore, mrn: &Mrn) -> (ProcessingState, Manifest) {
    let manifest: Manifest = store
        .get_json(&keys::manifest(mrn))
        .await
        .unwrap()
        .unwrap()
        .value;
    let state = manifest.documents[0].processing.as_ref().unwrap().state;
    (state, manifest)
}

/// The workers' scratch folders in `temp`.
fn scratch_folders(temp: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(temp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("chartdesk-work-"))
        })
        .collect()
}
