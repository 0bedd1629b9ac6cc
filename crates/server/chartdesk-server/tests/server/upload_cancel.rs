//! A cancel means cancel, and never takes the bytes of a document being attached: the cancel
//! and the complete of one upload meet on its id's claim, so exactly one of them goes through.
//! In-process, over the demo records.

use std::sync::Arc;
use std::time::Duration;

use chartdesk_domain::{keys, Category, Mrn};
use chartdesk_records::store::object_store::Write;
use chartdesk_sandbox::demo_pdf;
use serde_json::{json, Value};
use uuid::Uuid;

use chartdesk_records::store::RecordStore;
use chartdesk_records::{doc_claim_key, Attempt, DocClaim, ABANDONED_AFTER};

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
    // second window of the same user) asks to attach it. Refused as final, not "try again":
    // an outbox would otherwise send it again and again.
    api.put_presigned(&started["objects"][0]["put"], &pdf)
        .unwrap();
    let done = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(
        (
            done[0]["outcome"].as_str(),
            done[0]["error"]["code"].as_str()
        ),
        (Some("refused"), Some("invalid_input")),
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
        (Some("refused"), Some("invalid_input")),
        "{done:?}"
    );
    // Never a document in the record whose bytes the cancel took.
    assert!(!attached(&api, &decl).await);
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(!store.exists(&original(&decl)).await.unwrap());
}

/// Marks the claim of `decl`'s upload as held by another complete since `age` ago.
async fn held_by_another_complete(api: &Local, decl: &Value, age: time::Duration) -> Uuid {
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    let attempt = Attempt {
        id: Uuid::now_v7(),
        since: api.state.now() - age,
    };
    let claim = DocClaim {
        completing: true,
        completing_by: Some(attempt),
        ..DocClaim::new(&Mrn::from_stored("10000011").unwrap(), Category::Lab)
    };
    let store: &dyn RecordStore = api.store.as_ref();
    store
        .put_json(&doc_claim_key(id), &claim, Write::Overwrite)
        .await
        .unwrap();
    attempt.id
}

async fn claim_of(api: &Local, decl: &Value) -> DocClaim {
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    let store: &dyn RecordStore = api.store.as_ref();
    store
        .get_json::<DocClaim>(&doc_claim_key(id))
        .await
        .unwrap()
        .unwrap()
        .value
}

#[tokio::test]
async fn a_second_complete_of_an_upload_being_attached_waits_its_turn_and_frees_nothing() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "completed twice at once");
    let decl = declaration("10000011", "lab", "twice.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &decl, &pdf).await;
    // The first complete (a retry's first try, still running) holds the claim.
    let first = held_by_another_complete(&api, &decl, time::Duration::seconds(1)).await;
    let done = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(
        (
            done[0]["outcome"].as_str(),
            done[0]["error"]["code"].as_str()
        ),
        (Some("refused"), Some("conflict")),
        "a later try, not a refusal: {done:?}"
    );
    // It neither checked (which may remove bytes) nor let go of the first one's hold, so a
    // cancel still cannot take the bytes being attached.
    let holder = claim_of(&api, &decl).await.completing_by.map(|a| a.id);
    assert_eq!(holder, Some(first));
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(store.exists(&original(&decl)).await.unwrap());
    let (status, body) = api.post(&t, "/v1/uploads/abort", &abort_of(&decl)).await;
    assert_eq!(status, 409, "{body}");
    assert!(store.exists(&original(&decl)).await.unwrap());
}

#[tokio::test]
async fn a_complete_that_died_half_way_is_taken_over_by_the_next_try_or_cancelled() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let stale = ABANDONED_AFTER + time::Duration::seconds(1);
    let pdf = demo_pdf("Lab", "abandoned then retried");
    let retried = declaration("10000011", "lab", "retried.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &retried, &pdf).await;
    held_by_another_complete(&api, &retried, stale).await;
    let done = api.complete(&t, std::slice::from_ref(&retried)).await;
    assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    assert!(attached(&api, &retried).await);

    let pdf = demo_pdf("Lab", "abandoned then cancelled");
    let cancelled = declaration("10000011", "lab", "dropped.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &cancelled, &pdf).await;
    held_by_another_complete(&api, &cancelled, stale).await;
    let (status, body) = api
        .post(&t, "/v1/uploads/abort", &abort_of(&cancelled))
        .await;
    assert_eq!(status, 204, "{body}");
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(!store.exists(&original(&cancelled)).await.unwrap());
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
        chartdesk_domain::Category::Lab,
        id,
        "pdf",
    );
    let store: &dyn RecordStore = api.store.as_ref();
    // A complete in flight between its checks and its attach, as the claim records it.
    let set_completing = |on: bool| async move {
        let key = chartdesk_records::doc_claim_key(id);
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

/// A client killed while its complete is under way (kill -9, a laptop lid shut): the server
/// finishes that complete, as a Lambda would, so the client's own retry finds the document
/// attached rather than the id held by a complete that was cut off (busy for two minutes).
#[tokio::test]
async fn a_complete_whose_client_went_away_still_finishes_and_the_retry_finds_it_attached() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "client killed mid-complete");
    let decl = declaration("10000011", "lab", "killed.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &decl, &pdf).await;
    // The complete is still checking the bytes (a distant bucket) when the client goes away:
    // its request's future is dropped, as hyper drops it when the connection closes.
    api.store.slow_heads(Duration::from_millis(300));
    let cut_off = tokio::time::timeout(
        Duration::from_millis(100),
        api.complete(&t, std::slice::from_ref(&decl)),
    )
    .await;
    assert!(cut_off.is_err(), "the complete was still under way");
    api.store.slow_heads(Duration::ZERO);
    // The cut-off complete finishes by itself (cut off for good, it never would).
    for _ in 0..100 {
        if attached(&api, &decl).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let retried = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(
        retried[0]["outcome"], "already_attached",
        "not refused as busy: {retried:?}"
    );
    assert!(attached(&api, &decl).await);
}
