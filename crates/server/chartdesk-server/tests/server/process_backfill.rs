//! `chartdesk-server --process-existing-documents`: a document filed before the processing
//! worker existed (no processing record, a verdict still pending) is never handed out; once the
//! backfill marks it queued and sends its notice, the worker processes it and it opens. A
//! second run sends nothing new.

use chartdesk_domain::{keys, Category, DocumentEntry, Manifest, Mrn, ScanStatus, Sent};
use chartdesk_domain::{DocumentStatus, ProcessingState};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::RecordStore;
use chartdesk_records::update_manifest;
use chartdesk_sandbox::demo_pdf;
use uuid::Uuid;

use crate::claim_backfill::run_once;
use crate::harness::{api, cloud};
use crate::processing::{fresh_patient, list, processed};

const MRN: &str = "30000061";

/// An attached PDF as a server from before the worker left it.
async fn filed_before_the_worker() -> Uuid {
    let store = chartdesk_testkit::cloud().admin_store().await;
    let mrn = Mrn::from_stored(MRN).unwrap();
    let bytes = demo_pdf("Lab", "Sodium 140 mmol/L");
    let id = Uuid::now_v7();
    let sent = Sent {
        category: Category::Lab,
        file_name: "old-sodium.pdf",
        content_type: "application/pdf",
        bytes: &bytes,
        by: "nurse.hughes",
        at: time::OffsetDateTime::now_utc(),
    };
    let mut entry = DocumentEntry::queued(id, sent);
    entry.processing = None;
    entry.scan_status = ScanStatus::Pending;
    assert_eq!(entry.status, DocumentStatus::Attached);
    update_manifest(&store, &mrn, |m: &mut Manifest| {
        m.add(entry.clone());
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    let key = keys::original(&mrn, Category::Lab, id, "pdf");
    store
        .put(&key, bytes, "application/pdf", Write::Create)
        .await
        .unwrap();
    id
}

fn backfill() -> String {
    let queue = cloud().report.queue_url.clone();
    run_once(
        "--process-existing-documents",
        &[("CHARTDESK_QUEUE_URL", queue.as_str())],
        &["--record", MRN],
    )
}

#[tokio::test]
async fn a_document_filed_before_the_worker_opens_once_the_backfill_sent_it_and_a_rerun_sends_nothing_new(
) {
    fresh_patient(MRN).await;
    let id = filed_before_the_worker().await;
    let row = |rows: Vec<serde_json::Value>| {
        rows.into_iter()
            .find(|r| r["id"] == id.to_string())
            .unwrap()
    };
    let before = row(list(&api(), MRN, "category=lab").await);
    assert_eq!(before["can_open"], false, "pending is never handed out");

    let first = backfill();
    assert!(first.contains("1 queued for the first time"), "{first}");
    let entry = processed(MRN, id).await;
    assert_eq!(
        (entry.processing.unwrap().state, entry.scan_status),
        (ProcessingState::Done, ScanStatus::Clean)
    );
    let after = row(list(&api(), MRN, "category=lab").await);
    assert_eq!(after["can_open"], true, "{after}");

    let second = backfill();
    assert!(second.contains("0 queued for the first time"), "{second}");
    // Counts only: no MRN or document id in what an operator's terminal keeps.
    assert!(!first.contains(MRN) && !first.contains(&id.to_string()));
}
