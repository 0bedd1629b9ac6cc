//! Upload rules, in-process over the in-memory store: start → send the bytes → complete.
//! Verified before anything is attached; replays never double; the preop limit holds under a
//! race of concurrent completes (the manifest compare-and-swap).

use chartdesk_domain::{sha256_hex, Category, DocumentStatus};
use chartdesk_sandbox::{demo_jpeg, demo_pdf};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

#[tokio::test]
async fn an_upload_lands_once_and_a_replayed_complete_adds_nothing() {
    let api = Local::new().await;
    api.seed_patient("10000011").await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Discharge", "server upload test");
    let decl = declaration(
        "10000011",
        "discharge",
        "letter.pdf",
        "application/pdf",
        &pdf,
    );
    api.start_and_put(&t, &decl, &pdf).await;
    let first = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(first[0]["outcome"], "attached", "{first:?}");
    assert_eq!(first[0]["row"]["uploaded_by"], "nurse.hughes");
    let again = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(again[0]["outcome"], "already_attached");
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    api.process("10000011", id).await;
    let entries = api
        .manifest("10000011")
        .await
        .documents
        .into_iter()
        .filter(|d| d.id == id)
        .count();
    assert_eq!(entries, 1, "one manifest entry");
    // A replayed start says there is nothing left to send.
    let (_, restarted) = api.post(&t, "/v1/uploads", &decl).await;
    assert_eq!(restarted["already_attached"], true);
    // And a clinician can open it: a presigned GET of exactly those bytes.
    let doc = api
        .get(
            &token("dr.okafor").await,
            &format!("/v1/patients/10000011/documents/{id}"),
        )
        .await;
    assert_eq!(doc.0, 200, "{}", doc.1);
    let bytes = api.store.fetch(doc.1["url"].as_str().unwrap()).unwrap();
    assert_eq!(sha256_hex(&bytes), sha256_hex(&pdf));
    // The opening is in the audit trail, under the clinician's name.
    let events = api.audit_events().await;
    assert!(
        events.iter().any(|e| e.to_string().contains("dr.okafor")),
        "opening audited: {events:?}"
    );
}

#[tokio::test]
async fn a_wrong_checksum_or_a_missing_object_is_refused_and_nothing_is_attached() {
    let api = Local::new().await;
    api.seed_patient("10000011").await;
    let t = token("nurse.hughes").await;
    let declared = demo_pdf("Lab", "what was declared");
    let sent = demo_pdf("Lab", "what was actually sent!!");
    let bad = declaration("10000011", "lab", "bad.pdf", "application/pdf", &declared);
    // The store refuses a body whose signed checksum does not match (as S3 does; moto does
    // not, ARCHITECTURE.md §7); either way nothing may be attached. Same size, other bytes.
    let mut same_size = sent.clone();
    same_size.resize(declared.len(), b' ');
    api.start_and_put(&t, &bad, &same_size).await;
    let missing = declaration(
        "10000011",
        "lab",
        "never-sent.pdf",
        "application/pdf",
        &declared,
    );
    api.post(&t, "/v1/uploads", &missing).await;
    let results = api.complete(&t, &[bad.clone(), missing.clone()]).await;
    for r in &results {
        assert_eq!(r["outcome"], "refused", "{r}");
        assert_eq!(r["error"]["code"], "integrity");
    }
    let docs = api.manifest("10000011").await.documents;
    for d in [&bad, &missing] {
        let id: Uuid = serde_json::from_value(d["doc_id"].clone()).unwrap();
        assert!(!docs.iter().any(|e| e.id == id), "nothing attached");
    }
}

#[tokio::test]
async fn twenty_concurrent_completes_never_leave_more_than_three_preop_images() {
    let api = Local::new().await;
    api.seed_patient("10000005").await;
    let t = token("nurse.hughes").await;
    let mut preop = Vec::new();
    for i in 0..20u8 {
        let jpeg = demo_jpeg(i);
        let decl = declaration(
            "10000005",
            "preop",
            &format!("pre-{i}.jpg"),
            "image/jpeg",
            &jpeg,
        );
        api.start_and_put(&t, &decl, &jpeg).await;
        preop.push(decl);
    }
    let mut labs = Vec::new();
    for i in 0..4u8 {
        let pdf = demo_pdf("Lab", &format!("concurrent lab {i}"));
        let decl = declaration(
            "10000005",
            "lab",
            &format!("lab-{i}.pdf"),
            "application/pdf",
            &pdf,
        );
        api.start_and_put(&t, &decl, &pdf).await;
        labs.push(decl);
    }
    let all: Vec<Value> = preop.iter().chain(labs.iter()).cloned().collect();
    let calls = all.iter().map(|d| {
        let api = &api;
        let t = &t;
        async move { api.complete(t, std::slice::from_ref(d)).await.remove(0) }
    });
    let results = futures_util::future::join_all(calls).await;
    let attached_preop = results[..20]
        .iter()
        .filter(|r| r["outcome"] == "attached")
        .count();
    let full = results[..20]
        .iter()
        .filter(|r| r["outcome"] == "preop_full")
        .count();
    assert_eq!(attached_preop, 3, "exactly three preop images attach");
    assert_eq!(full, 17, "the rest are told preop is full");
    assert!(
        results[20..].iter().all(|r| r["outcome"] == "attached"),
        "{results:?}"
    );
    let m = api.manifest("10000005").await;
    let live = |c: Category| {
        m.documents
            .iter()
            .filter(|d| d.category == c && d.status == DocumentStatus::Attached)
            .count()
    };
    assert_eq!(live(Category::Preop), 3);
    assert_eq!(live(Category::Lab), 4, "no lab upload lost");
    // A fourth with replace_oldest supersedes the oldest in the same change.
    let jpeg = demo_jpeg(99);
    let mut decl = declaration("10000005", "preop", "pre-new.jpg", "image/jpeg", &jpeg);
    let (status, body) = api.post(&t, "/v1/uploads", &decl).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("preop_full")));
    decl["replace_oldest"] = json!(true);
    api.start_and_put(&t, &decl, &jpeg).await;
    let r = api.complete(&t, &[decl]).await;
    assert_eq!(r[0]["outcome"], "attached");
    let m = api.manifest("10000005").await;
    let replaced = m
        .documents
        .iter()
        .filter(|d| d.status == DocumentStatus::Replaced)
        .count();
    assert_eq!(replaced, 1);
}

#[tokio::test]
async fn files_added_to_one_record_in_one_request_are_one_audit_event_naming_each() {
    let api = Local::new().await;
    api.seed_patient("30000008").await;
    api.seed_patient("30000009").await;
    let t = token("nurse.hughes").await;
    let mut decls = Vec::new();
    for (mrn, n) in [
        ("30000008", 1),
        ("30000008", 2),
        ("30000008", 3),
        ("30000009", 4),
    ] {
        decls.push(
            api.sent_pdf(&t, mrn, "lab", &format!("batch line {n}"))
                .await,
        );
    }
    let done = api.complete(&t, &decls).await;
    assert!(done.iter().all(|r| r["outcome"] == "attached"), "{done:?}");
    let ids = |range: std::ops::Range<usize>| -> Vec<Value> {
        decls[range].iter().map(|d| d["doc_id"].clone()).collect()
    };
    let mut uploads: Vec<Value> = api
        .audit_events()
        .await
        .into_iter()
        .filter(|e| e["action"] == "upload")
        .collect();
    uploads.sort_by_key(|e| e["event_id"].to_string());
    uploads.dedup_by_key(|e| e["event_id"].to_string());
    assert_eq!(uploads.len(), 2, "one event a patient: {uploads:?}");
    let three = uploads.iter().find(|e| e["mrn"] == "30000008").unwrap();
    assert_eq!(three["doc_ids"], Value::Array(ids(0..3)), "{three}");
    assert_eq!(three["doc_id"], decls[0]["doc_id"]);
    assert_eq!(three["count"], 3);
    let one = uploads.iter().find(|e| e["mrn"] == "30000009").unwrap();
    assert_eq!(one["doc_id"], decls[3]["doc_id"]);
    assert!(
        one.get("doc_ids").is_none(),
        "a single file's event is as before: {one}"
    );
    // The access history says so; FHIR's AuditEvent names each document.
    let admin = token("admin.byrne").await;
    let (status, shown) = api.get(&admin, "/v1/patients/30000008/audit").await;
    assert_eq!(status, 200, "{shown}");
    let line = shown["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "Added a document")
        .unwrap_or_else(|| panic!("{shown}"));
    assert_eq!(line["detail"], "3 documents at once", "{line}");
    for id in ids(0..3) {
        let path = format!(
            "/fhir/R4/AuditEvent?entity=DocumentReference/30000008-{}",
            id.as_str().unwrap()
        );
        let (status, bundle) = api.get(&admin, &path).await;
        assert_eq!(status, 200, "{bundle}");
        assert!(bundle.to_string().contains("\"upload\""), "{id}: {bundle}");
    }
}
