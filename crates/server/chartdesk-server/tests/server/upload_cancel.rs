//! A cancel means cancel, and never takes the bytes of a document being attached: the cancel
//! and the complete of one upload meet on its id's claim, so exactly one of them goes through.
//! In-process, over the demo records.

use std::sync::Arc;
use std::time::Duration;

use chartdesk::cloud::object_store::Write;
use chartdesk::domain::{keys, Category, Mrn};
use chartdesk::sandbox::demo_pdf;
use serde_json::{json, Value};
use uuid::Uuid;

use chartdesk_records::store::RecordStore;

use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

/// The key of a lab PDF's original in 10000011's record.
fn original(decl: &Value) -> String {
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    keys::original(
        &Mrn::from_stored("10000011").unwrap(),
        Category::Lab,
        id,
        "pdf",
    )
}

fn abort_of(decl: &Value) -> Value {
    json!({ "doc_id": decl["doc_id"], "mrn": "10000011", "category": "lab" })
}

async fn attached(api: &Local, decl: &Value) -> bool {
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    api.manifest("10000011")
        .await
        .documents
        .iter()
        .any(|d| d.id == id)
}

#[tokio::test]
async fn a_cancelled_upload_is_never_attached_even_when_its_bytes_land_again() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "cancelled then sent again");
    let decl = declaration("10000011", "lab", "late.pdf", "application/pdf", &pdf);
    let started = api.start_and_put(&t, &decl, &pdf).await;
    let (status, body) = api.post(&t, "/v1/uploads/abort", &abort_of(&decl)).await;
    assert_eq!(status, 204, "{body}");
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(!store.exists(&original(&decl)).await.unwrap());

    // A PUT still in flight when the user cancelled lands afterwards; then a complete (a
    // second window of the same user) asks to attach it.
    api.put_presigned(&started["objects"][0]["put"], &pdf)
        .unwrap();
    let done = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(
        (
            done[0]["outcome"].as_str(),
            done[0]["error"]["code"].as_str()
        ),
        (Some("refused"), Some("conflict")),
        "{done:?}"
    );
    assert!(
        done[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{done:?}"
    );
    assert!(!attached(&api, &decl).await, "the cancel stands");
    assert!(
        !store.exists(&original(&decl)).await.unwrap(),
        "the late bytes are removed with the refusal"
    );
    // Asking again changes nothing, and the cancel may be repeated.
    let done = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(done[0]["outcome"], "refused", "{done:?}");
    let (status, body) = api.post(&t, "/v1/uploads/abort", &abort_of(&decl)).await;
    assert_eq!(status, 204, "{body}");
}

#[tokio::test]
async fn a_complete_that_comes_while_a_cancel_is_removing_the_bytes_attaches_nothing() {
    let api = Arc::new(Local::demo().await);
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "complete during a cancel");
    let decl = declaration("10000011", "lab", "race.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &decl, &pdf).await;
    // The cancel's deletes are slow to land (a distant bucket): it has decided and begun
    // removing when the complete (another window of the same user) asks to attach.
    api.store.slow_deletes(Duration::from_millis(150));
    let abort = {
        let (api, t, body) = (api.clone(), t.clone(), abort_of(&decl));
        tokio::spawn(async move { api.post(&t, "/v1/uploads/abort", &body).await })
    };
    while api.store.deletes_begun() == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let done = api.complete(&t, std::slice::from_ref(&decl)).await;
    let (status, body) = abort.await.unwrap();
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        (
            done[0]["outcome"].as_str(),
            done[0]["error"]["code"].as_str()
        ),
        (Some("refused"), Some("conflict")),
        "{done:?}"
    );
    // Never a document in the record whose bytes the cancel took.
    assert!(!attached(&api, &decl).await);
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(!store.exists(&original(&decl)).await.unwrap());
}

#[tokio::test]
async fn a_cancel_while_a_complete_checks_the_upload_leaves_its_objects_alone() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "cancel race");
    let decl = declaration("10000011", "lab", "race.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &decl, &pdf).await;
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    let original = keys::original(
        &Mrn::from_stored("10000011").unwrap(),
        chartdesk::domain::Category::Lab,
        id,
        "pdf",
    );
    let store: &dyn RecordStore = api.store.as_ref();
    // A complete in flight between its checks and its attach, as the claim records it.
    let set_completing = |on: bool| async move {
        let key = chartdesk::records::doc_claim_key(id);
        let claim = json!({ "mrn": "10000011", "category": "lab", "completing": on });
        store
            .put_json(&key, &claim, Write::Overwrite)
            .await
            .unwrap();
    };
    set_completing(true).await;
    let abort = json!({ "doc_id": id, "mrn": "10000011", "category": "lab" });
    let (status, body) = api.post(&t, "/v1/uploads/abort", &abort).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(
        store.exists(&original).await.unwrap(),
        "the checked bytes stay"
    );

    set_completing(false).await;
    let (status, body) = api.post(&t, "/v1/uploads/abort", &abort).await;
    assert_eq!(status, 204, "{body}");
    assert!(
        !store.exists(&original).await.unwrap(),
        "a real cancel still cleans up"
    );
}

#[tokio::test]
async fn a_refused_complete_lets_the_upload_be_cancelled_afterwards() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let declared = demo_pdf("Lab", "declared bytes");
    let decl = declaration(
        "10000011",
        "lab",
        "never-sent.pdf",
        "application/pdf",
        &declared,
    );
    assert_eq!(api.post(&t, "/v1/uploads", &decl).await.0, 200);
    let done = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(done[0]["error"]["code"], "integrity", "{done:?}");
    let abort = json!({ "doc_id": decl["doc_id"], "mrn": "10000011", "category": "lab" });
    let (status, body) = api.post(&t, "/v1/uploads/abort", &abort).await;
    assert_eq!(status, 204, "{body}");
}
