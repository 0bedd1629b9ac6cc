//! A document the record withholds is not found by the words inside it (the worker's text),
//! only by its name, as its row shows it. In-process, over the demo records, with the local
//! cloud's clamd for the worker's pass.

use chartdesk_domain::ScanStatus;
use serde_json::Value;
use uuid::Uuid;

use crate::harness::token;
use crate::in_process::Local;

/// The row of `id` that a search of 10000011's documents for `q` finds, if any.
async fn found(api: &Local, token: &str, q: &str, id: Uuid) -> Option<Value> {
    let (status, list) = api
        .get(
            token,
            &format!("/v1/patients/10000011/documents?search={q}"),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.to_string())
        .cloned()
}

#[tokio::test]
async fn a_document_the_record_now_withholds_is_found_by_its_name_not_by_its_words() {
    let api = Local::demo().await;
    let nurse = token("nurse.hughes").await;
    let decl = api
        .sent_pdf(&nurse, "10000011", "lab", "Zephyrine protocol")
        .await;
    let done = api.complete(&nurse, std::slice::from_ref(&decl)).await;
    assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    api.process("10000011", id).await;
    let clinician = token("dr.okafor").await;
    let row = found(&api, &clinician, "zephyrine", id).await;
    let row = row.expect("found by a word inside it while it may be handed out");
    assert_eq!(row["found_in"], "Found on page 1");

    // A late verdict: the record now says infected.
    let mut manifest = api.manifest("10000011").await;
    let entry = manifest.documents.iter_mut().find(|d| d.id == id).unwrap();
    entry.scan_status = ScanStatus::Infected;
    api.replace_manifest("10000011", &manifest).await;
    assert_eq!(found(&api, &clinician, "zephyrine", id).await, None);
    let row = found(&api, &clinician, "result", id).await;
    let row = row.expect("still found by its name");
    assert_eq!(row["found_in"], "Found in the file name");
}
