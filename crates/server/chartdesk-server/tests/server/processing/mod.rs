//! The processing worker against the real parts: the sandbox's clamd, moto's S3 notifications to
//! SQS, the records server polling the queue, Tesseract and poppler. Each test uploads through
//! the API (no variants) and waits for the outcome the worker records in the manifest.

mod files;
mod killed;
mod outcomes;
mod redelivery;
mod worker_process;

use chartdesk_domain::DocumentEntry;
use serde_json::Value;
use uuid::Uuid;

use crate::harness::{api, token, Api};
use crate::uploads::{complete, declaration, start_and_put};

/// A patient of the test's own, with no documents (so no other test's counts change).
pub async fn fresh_patient(mrn: &str) {
    chartdesk_testkit::cloud().seed_patient(mrn, &[]).await;
}

/// Uploads one file as a ward nurse; its document id.
pub async fn upload(
    mrn: &str,
    category: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Uuid {
    let api = api();
    let t = token("nurse.hughes").await;
    let decl = declaration(mrn, category, name, content_type, bytes);
    start_and_put(&api, &t, &decl, bytes).await;
    let results = complete(&api, &t, std::slice::from_ref(&decl)).await;
    assert_eq!(results[0]["outcome"], "attached", "{results:?}");
    decl["doc_id"].as_str().unwrap().parse().unwrap()
}

/// The entry once the worker recorded an outcome for it (within 60 s, else the test fails).
pub async fn processed(mrn: &str, id: Uuid) -> DocumentEntry {
    chartdesk_testkit::cloud()
        .processed(mrn, &id.to_string())
        .await
}

/// The category list as a clinician sees it.
pub async fn list(api: &Api, mrn: &str, query: &str) -> Vec<Value> {
    let t = token("dr.okafor").await;
    let (status, body) = api
        .get(&t, &format!("/v1/patients/{mrn}/documents?{query}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["rows"].as_array().unwrap().clone()
}
