//! A record that keeps growing (issue 25 item 4): at 1,000 documents a change rewrites the
//! manifest's head alone (an old entry's change rides in the head as an amendment), never a
//! part or the whole index, and every reader still sees every row.

use chartdesk_domain::{sha256_hex, ScanStatus};
use chartdesk_records::store::RecordStore;
use chartdesk_records::PART_ROWS;
use chartdesk_sandbox::demo_pdf;
use serde_json::Value;

use crate::break_glass_everyone::lab_documents;
use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

const MRN: &str = "36000001";
const DOCS: usize = 1000;

async fn parts(api: &Local) -> Vec<String> {
    let store: &dyn RecordStore = api.store.as_ref();
    let prefix = format!("patients/{MRN}/manifest-parts/");
    store.list_keys(&prefix).await.unwrap()
}

/// The head as stored: its entries, and its size in bytes.
async fn head(api: &Local) -> (usize, usize) {
    let store: &dyn RecordStore = api.store.as_ref();
    let key = format!("patients/{MRN}/manifest.json");
    let (bytes, _) = store.get_bytes(&key).await.unwrap().unwrap();
    let head: Value = serde_json::from_slice(&bytes).unwrap();
    (head["documents"].as_array().unwrap().len(), bytes.len())
}

#[tokio::test]
async fn a_change_to_a_long_record_rewrites_its_head_alone_and_leaves_no_litter() {
    let api = Local::new().await;
    assert_eq!(
        api.put_patient(MRN, "3600000020", false, false).await.0,
        200
    );
    let (mut manifest, ids) = lab_documents(DOCS);
    for entry in &mut manifest.documents {
        entry.scan_status = ScanStatus::Clean;
    }
    api.replace_manifest(MRN, &manifest).await;
    let sealed = DOCS / PART_ROWS;
    let before = parts(&api).await;
    assert_eq!(before.len(), sealed);
    let (in_head, head_bytes) = head(&api).await;
    assert_eq!(in_head, DOCS % PART_ROWS);

    // The oldest document, deep in the first part, is stamped: every part is kept as it was,
    // the stamped entry carried by the head.
    let clinician = token("dr.okafor").await;
    let path = format!("/v1/patients/{MRN}/documents/{}/stamp", ids[0]);
    let head_key = format!("patients/{MRN}/manifest.json");
    let on_head = api.store.requests_on(&head_key);
    let on_parts: Vec<u64> = before.iter().map(|p| api.store.requests_on(p)).collect();
    let (status, stamped) = api.post(&clinician, &path, &serde_json::json!({})).await;
    assert_eq!(status, 200, "{stamped}");
    assert_eq!(
        api.store.requests_on(&head_key) - on_head,
        2,
        "the head read once (checked, then swapped) and written once"
    );
    let after_stamp = parts(&api).await;
    assert_eq!(after_stamp, before, "no part written or removed");
    let now: Vec<u64> = before.iter().map(|p| api.store.requests_on(p)).collect();
    assert_eq!(now, on_parts, "no part even read: they are cached");
    assert_eq!(head(&api).await.0, in_head);

    // An upload adds to the head alone.
    let ward = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "the thousand and first");
    let decl = declaration(MRN, "lab", "result.pdf", "application/pdf", &pdf);
    api.start_and_put(&ward, &decl, &pdf).await;
    let on_head = api.store.requests_on(&head_key);
    let done = api.complete(&ward, std::slice::from_ref(&decl)).await;
    assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    assert_eq!(
        api.store.requests_on(&head_key) - on_head,
        2,
        "a complete reads the head once and swaps it once"
    );
    assert_eq!(parts(&api).await, after_stamp);
    let (after, after_bytes) = head(&api).await;
    assert_eq!(after, in_head + 1);
    assert!(after_bytes < head_bytes * 2, "{head_bytes} → {after_bytes}");

    // Every reader still sees the whole record, the change in its place.
    let read = api.manifest(MRN).await;
    assert_eq!(read.documents.len(), DOCS + 1);
    assert!(read.documents[0].stamp.is_some());
    assert_eq!(read.documents[DOCS].sha256, sha256_hex(&pdf));
    let (status, found) = api
        .get(&clinician, &format!("/v1/patients?q=MRN%20{MRN}"))
        .await;
    assert_eq!(status, 200, "{found}");
    let lab = found["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["category"] == "lab")
        .unwrap();
    assert_eq!(lab["count"], DOCS + 1, "{lab}");
}
