//! Documents the benches write straight to the bucket, as an administrator would: scanned
//! JPEGs, clean, with their thumbnail where a screen will show them.

use chartdesk_domain::{
    keys, sha256_hex, Category, DocumentEntry, DocumentStatus, Manifest, Mrn, ScanStatus,
};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::RecordStore;
use futures_util::future::join_all;
use time::OffsetDateTime;

/// The `i`-th scan of a record, in the categories in turn, added at `created`.
pub fn scan(mrn: &Mrn, i: usize, jpeg: &[u8], created: OffsetDateTime) -> DocumentEntry {
    let id = uuid::Uuid::now_v7();
    let category = Category::ALL[i % 7];
    DocumentEntry {
        id,
        category,
        file_name: format!("scan-{i:05}.jpg"),
        content_type: "image/jpeg".into(),
        size: jpeg.len() as u64,
        sha256: sha256_hex(jpeg),
        created,
        uploaded_by: "nurse.hughes".into(),
        variants: vec![
            keys::optimized(mrn, category, id),
            keys::thumb(mrn, category, id),
        ],
        stamp: None,
        status: DocumentStatus::Attached,
        scan_status: ScanStatus::Clean,
        status_change: None,
        processing: None,
    }
}

/// Each document's thumbnail (`jpeg`), 16 at a time: what a list or first screen reads. No
/// original: one written under `originals/` would start the worker's processing of it, and a
/// thousand of those would load the machine through every measurement.
pub async fn put_thumbnails<'a>(
    store: &dyn RecordStore,
    mrn: &Mrn,
    documents: impl Iterator<Item = &'a DocumentEntry>,
    jpeg: &[u8],
) {
    let objects: Vec<String> = documents
        .map(|d| keys::thumb(mrn, d.category, d.id))
        .collect();
    for chunk in objects.chunks(16) {
        join_all(
            chunk
                .iter()
                .map(|k| store.put_bytes(k, jpeg.to_vec(), "image/jpeg", Write::Overwrite)),
        )
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .expect("seed objects");
    }
}

/// Waits (at most two minutes) until the sandbox's processing queue is empty: the worker checks
/// the demo documents for a while after the sandbox starts, and that load must not sit in the
/// measurements. False when it gave up waiting.
pub async fn worker_idle(clients: &chartdesk::cloud::CloudClients, queue_url: &str) -> bool {
    use aws_sdk_sqs::types::QueueAttributeName;
    let sqs = aws_sdk_sqs::Client::new(&clients.shared);
    let waiting = [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ];
    for _ in 0..240 {
        let answer = sqs
            .get_queue_attributes()
            .queue_url(queue_url)
            .set_attribute_names(Some(waiting.to_vec()))
            .send()
            .await
            .expect("queue attributes");
        let count = |name: &QueueAttributeName| {
            answer
                .attributes()
                .and_then(|a| a.get(name))
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        if waiting.iter().map(count).sum::<u64>() == 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    false
}

/// `BENCH_WHOLE_MANIFEST=1`: store the index whole, as servers before its parts did, to measure
/// one of those.
pub fn whole_index() -> bool {
    std::env::var("BENCH_WHOLE_MANIFEST").is_ok_and(|v| v == "1")
}

/// The record's manifest: as the server stores it (the newest entries in the head, the rest in
/// parts), or whole (`whole_index`).
pub async fn put_manifest(store: &dyn RecordStore, mrn: &Mrn, manifest: &Manifest) {
    let written = if whole_index() {
        store
            .put_json(&keys::manifest(mrn), manifest, Write::Overwrite)
            .await
    } else {
        chartdesk_records::manifest_store::write_manifest(
            store,
            mrn,
            manifest,
            Write::Overwrite,
            &[],
        )
        .await
    };
    written.expect("manifest");
}
