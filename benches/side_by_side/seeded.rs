//! Documents the benches write straight to the bucket, as an administrator would: scanned
//! JPEGs, clean, with their original and thumbnail where a screen will show them.

use chartdesk::cloud::object_store::Write;
use chartdesk::domain::{
    keys, sha256_hex, Category, DocumentEntry, DocumentStatus, Mrn, ScanStatus,
};
use chartdesk::records::store::RecordStore;
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

/// Each document's original and thumbnail (`jpeg`), 16 at a time.
pub async fn put_files<'a>(
    store: &dyn RecordStore,
    mrn: &Mrn,
    documents: impl Iterator<Item = &'a DocumentEntry>,
    jpeg: &[u8],
) {
    let objects: Vec<String> = documents
        .flat_map(|d| {
            [
                keys::original(mrn, d.category, d.id, "jpg"),
                keys::thumb(mrn, d.category, d.id),
            ]
        })
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
