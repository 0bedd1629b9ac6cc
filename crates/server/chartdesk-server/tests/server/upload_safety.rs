//! Uploads never put one patient's document id into another record, reach a restricted
//! record only with a reason, never file into a superseded record, and stay within limits
//! (issue 22 items 1, 4 and 9). In-process, over the demo records.

use chartdesk_domain::{keys, Category, Mrn, Patient};
use chartdesk_records::store::object_store::Write;
use chartdesk_sandbox::{demo_jpeg, demo_pdf};
use serde_json::{json, Value};
use uuid::Uuid;

use chartdesk_records::store::RecordStore;

use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

const REASON: (&str, &str) = ("x-chartdesk-break-glass-reason", "direct_care");

/// A POST carrying the break-glass reason.
async fn post_with_reason(api: &Local, t: &str, path: &str, body: &Value) -> (u16, Value) {
    api.request("POST", t, path, &[REASON], Some(body)).await
}

/// A patient of the test's own, copied from a demo patient under a new MRN.
async fn own_patient(api: &Local, mrn: &str, change: impl FnOnce(&mut Patient)) {
    let store: &dyn RecordStore = api.store.as_ref();
    let demo = Mrn::from_stored("10000005").unwrap();
    let mut patient = store
        .get_json::<Patient>(&keys::patient(&demo))
        .await
        .unwrap()
        .unwrap()
        .value;
    let new = Mrn::from_stored(mrn).unwrap();
    patient.mrn = new.clone();
    change(&mut patient);
    store
        .put_json(&keys::patient(&new), &patient, Write::Overwrite)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_document_id_used_for_one_patient_is_refused_for_any_other() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "id reuse test");
    let first = declaration("10000011", "lab", "mine.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &first, &pdf).await;
    assert_eq!(
        api.complete(&t, std::slice::from_ref(&first)).await[0]["outcome"],
        "attached"
    );

    // The same id for another patient: its start writes nothing (the claim is the complete's),
    // and its complete is refused, even with the bytes sent. Nothing attached.
    let mut reused = first.clone();
    reused["mrn"] = json!("10000012");
    api.start_and_put(&t, &reused, &pdf).await;
    let done = api.complete(&t, std::slice::from_ref(&reused)).await;
    assert_eq!(done[0]["outcome"], "refused", "{done:?}");
    assert_eq!(done[0]["error"]["code"], "invalid_input", "{done:?}");
    let id: Uuid = serde_json::from_value(first["doc_id"].clone()).unwrap();
    assert!(!api
        .manifest("10000012")
        .await
        .documents
        .iter()
        .any(|d| d.id == id));
    // What was sent under the used id is removed with the refusal, and a cancel still goes.
    let sent = keys::original(
        &Mrn::from_stored("10000012").unwrap(),
        Category::Lab,
        id,
        "pdf",
    );
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(
        !store.exists(&sent).await.unwrap(),
        "nothing left under 10000012"
    );
    let abort = json!({ "doc_id": id, "mrn": "10000012", "category": "lab" });
    let (status, body) = api.post(&t, "/v1/uploads/abort", &abort).await;
    assert_eq!(status, 204, "{body}");

    // A retry of the first upload is still fine.
    let (status, again) = api.post(&t, "/v1/uploads", &first).await;
    assert_eq!(
        (status, again["already_attached"].as_bool()),
        (200, Some(true))
    );

    // One id started for two records at once: the first complete claims it, the other is
    // refused, and the id is in one record only.
    let jpeg = demo_jpeg(7);
    let here = declaration("10000011", "radiology", "x.jpg", "image/jpeg", &jpeg);
    let mut elsewhere = here.clone();
    elsewhere["mrn"] = json!("10000012");
    api.start_and_put(&t, &here, &jpeg).await;
    api.start_and_put(&t, &elsewhere, &jpeg).await;
    let done = api.complete(&t, std::slice::from_ref(&elsewhere)).await;
    assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    let done = api.complete(&t, std::slice::from_ref(&here)).await;
    assert_eq!(done[0]["outcome"], "refused", "{done:?}");
    let id: Uuid = serde_json::from_value(here["doc_id"].clone()).unwrap();
    assert!(!api
        .manifest("10000011")
        .await
        .documents
        .iter()
        .any(|d| d.id == id));

    // A demo document (another patient's X-ray, as a clinician sees its id) cannot be reused.
    let (_, list) = api
        .get(
            &token("dr.okafor").await,
            "/v1/patients/10000004/documents?category=preop",
        )
        .await;
    let mut copied = declaration("10000012", "preop", "copy.jpg", "image/jpeg", &jpeg);
    copied["doc_id"] = list["rows"][0]["id"].clone();
    api.start_and_put(&t, &copied, &jpeg).await;
    let done = api.complete(&t, std::slice::from_ref(&copied)).await;
    assert_eq!(done[0]["outcome"], "refused", "{done:?}");
}

#[tokio::test]
async fn an_upload_to_a_restricted_record_needs_the_reason_and_carries_it() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "restricted upload");
    let decl = declaration("10000007", "lab", "r.pdf", "application/pdf", &pdf);
    let (status, body) = api.post(&t, "/v1/uploads", &decl).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reason_required")),
        "{body}"
    );

    let (status, started) = post_with_reason(&api, &t, "/v1/uploads", &decl).await;
    assert_eq!(status, 200, "{started}");
    api.put_presigned(&started["objects"][0]["put"], &pdf)
        .unwrap();

    let batch = json!({ "uploads": [decl.clone()] });
    let without = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(
        without[0]["error"]["code"], "reason_required",
        "{without:?}"
    );
    let (status, with) = post_with_reason(&api, &t, "/v1/uploads/complete", &batch).await;
    assert_eq!(status, 200, "{with}");
    assert_eq!(with["results"][0]["outcome"], "attached", "{with}");

    let id = decl["doc_id"].as_str().unwrap();
    let admin = token("admin.byrne").await;
    let (_, history) = api
        .request(
            "GET",
            &admin,
            "/v1/patients/10000007/audit",
            &[REASON],
            None,
        )
        .await;
    let opened = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "break_glass" && e["doc_id"] == id);
    assert!(
        opened.is_some_and(|e| e["actor"] == "nurse.hughes" && e["reason"].is_string()),
        "starting an upload to a restricted record is audited with its reason: {history}"
    );
    let upload = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "upload" && e["doc_id"] == id);
    assert!(
        upload.is_some_and(|e| e["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("direct_care"))),
        "the upload's event carries the reason: {history}"
    );
}

#[tokio::test]
async fn an_upload_to_a_superseded_record_is_refused_and_names_the_current_record() {
    let api = Local::demo().await;
    own_patient(&api, "31000001", |p| {
        p.flags.superseded = true;
        p.superseded_by = Some(Mrn::from_stored("10000012").unwrap());
    })
    .await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "to a merged record");
    let decl = declaration("31000001", "lab", "m.pdf", "application/pdf", &pdf);
    let (status, body) = api.post(&t, "/v1/uploads", &decl).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("10000012"),
        "{body}"
    );
    let done = api.complete(&t, &[decl]).await;
    assert_eq!(done[0]["outcome"], "refused");
    assert!(api.manifest("31000001").await.documents.is_empty());
}

#[tokio::test]
async fn a_complete_of_more_than_a_hundred_uploads_is_refused_whole() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Lab", "batch");
    let many: Vec<Value> = (0..101)
        .map(|i| {
            declaration(
                "10000011",
                "lab",
                &format!("{i}.pdf"),
                "application/pdf",
                &pdf,
            )
        })
        .collect();
    let (status, body) = api
        .post(&t, "/v1/uploads/complete", &json!({ "uploads": many }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
}

#[tokio::test]
async fn an_export_naming_more_than_five_hundred_documents_is_refused() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let ids: Vec<Uuid> = (0..501).map(|_| Uuid::now_v7()).collect();
    let (status, body) = api
        .post(
            &t,
            "/v1/patients/10000004/export",
            &json!({ "doc_ids": ids }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
}

#[tokio::test]
async fn an_upload_plans_the_original_only_and_variants_an_older_client_declares_are_ignored() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let jpeg = demo_jpeg(3);
    let plain = declaration("10000011", "radiology", "scan.jpg", "image/jpeg", &jpeg);
    let started = api.start_and_put(&t, &plain, &jpeg).await;
    let objects = started["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 1, "{started}");
    assert_eq!(objects[0]["role"], "original");

    // An older client still declares its own previews: planned and attached without them.
    let mut old = declaration("10000011", "radiology", "old.jpg", "image/jpeg", &jpeg);
    old["variants"] = json!([{ "kind": "thumb", "size": 300 * 1024, "sha256": "ab".repeat(32) }]);
    let started = api.start_and_put(&t, &old, &jpeg).await;
    assert_eq!(started["objects"].as_array().unwrap().len(), 1, "{started}");
    let results = api.complete(&t, &[plain.clone(), old.clone()]).await;
    assert!(
        results.iter().all(|r| r["outcome"] == "attached"),
        "{results:?}"
    );
    let manifest = api.manifest("10000011").await;
    for decl in [&plain, &old] {
        let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
        let entry = manifest.documents.iter().find(|d| d.id == id).unwrap();
        assert!(entry.variants.is_empty(), "the worker writes the previews");
        assert!(entry.processing.is_some(), "queued for the worker");
    }
}
