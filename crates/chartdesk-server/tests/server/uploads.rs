//! Uploads through the server: start → PUT the bytes straight to S3 → complete. Verified before
//! anything is attached; replays never double; the preop limit holds under a race.

use chartdesk::domain::{keys, sha256_hex, Category, DocumentStatus, Manifest, Mrn};
use chartdesk::sandbox::{demo_jpeg, demo_pdf};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::{api, store, token, Api};

pub(crate) fn declaration(
    mrn: &str,
    category: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Value {
    json!({
        "doc_id": Uuid::now_v7(), "mrn": mrn, "category": category, "file_name": name,
        "content_type": content_type, "size": bytes.len(), "sha256": sha256_hex(bytes),
    })
}

/// Starts an upload and PUTs `body` (which may differ from what was declared).
pub(crate) async fn start_and_put(api: &Api, t: &str, decl: &Value, body: &[u8]) -> Value {
    let (status, started) = api.post(t, "/v1/uploads", decl).await;
    assert_eq!(status, 200, "{started}");
    let put = &started["objects"][0]["put"];
    let mut req = api.http.put(put["url"].as_str().unwrap());
    for h in put["headers"].as_array().unwrap() {
        req = req.header(h["name"].as_str().unwrap(), h["value"].as_str().unwrap());
    }
    let r = req.body(body.to_vec()).send().await.unwrap();
    assert!(r.status().is_success(), "PUT {}", r.status());
    started
}

pub(crate) async fn complete(api: &Api, t: &str, decls: &[Value]) -> Vec<Value> {
    let (status, done) = api
        .post(t, "/v1/uploads/complete", &json!({ "uploads": decls }))
        .await;
    assert_eq!(status, 200, "{done}");
    done["results"].as_array().unwrap().clone()
}

pub(crate) async fn manifest(mrn: &str) -> Manifest {
    let mrn = Mrn::from_stored(mrn).unwrap();
    store()
        .await
        .get_json::<Manifest>(&keys::manifest(&mrn))
        .await
        .unwrap()
        .map(|v| v.value)
        .unwrap_or_default()
}

#[tokio::test]
async fn an_upload_lands_once_and_a_replayed_complete_adds_nothing() {
    let api = api();
    let t = token("nurse.hughes").await;
    let pdf = demo_pdf("Discharge", "server upload test");
    let decl = declaration(
        "10000011",
        "discharge",
        "letter.pdf",
        "application/pdf",
        &pdf,
    );
    start_and_put(&api, &t, &decl, &pdf).await;
    let first = complete(&api, &t, std::slice::from_ref(&decl)).await;
    assert_eq!(first[0]["outcome"], "attached", "{first:?}");
    assert_eq!(first[0]["row"]["uploaded_by"], "nurse.hughes");
    let again = complete(&api, &t, std::slice::from_ref(&decl)).await;
    assert_eq!(again[0]["outcome"], "already_attached");
    let id: Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    let entries = manifest("10000011")
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
    let bytes = api
        .http
        .get(doc.1["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sha256_hex(&bytes), sha256_hex(&pdf));
}

#[tokio::test]
async fn a_wrong_checksum_or_a_missing_object_is_refused_and_nothing_is_attached() {
    let api = api();
    let t = token("nurse.hughes").await;
    let declared = demo_pdf("Lab", "what was declared");
    let sent = demo_pdf("Lab", "what was actually sent!!");
    let bad = declaration("10000011", "lab", "bad.pdf", "application/pdf", &declared);
    // moto stores a body whose checksum header does not match (DESIGN.md §6); the server's
    // own check must still refuse it. Same size, other bytes.
    let mut same_size = sent.clone();
    same_size.resize(declared.len(), b' ');
    start_and_put(&api, &t, &bad, &same_size).await;
    let missing = declaration(
        "10000011",
        "lab",
        "never-sent.pdf",
        "application/pdf",
        &declared,
    );
    api.post(&t, "/v1/uploads", &missing).await;
    let results = complete(&api, &t, &[bad.clone(), missing.clone()]).await;
    for r in &results {
        assert_eq!(r["outcome"], "refused", "{r}");
        assert_eq!(r["error"]["code"], "integrity");
    }
    let docs = manifest("10000011").await.documents;
    for d in [&bad, &missing] {
        let id: Uuid = serde_json::from_value(d["doc_id"].clone()).unwrap();
        assert!(!docs.iter().any(|e| e.id == id), "nothing attached");
    }
}

#[tokio::test]
async fn a_file_whose_bytes_are_not_its_declared_type_is_refused() {
    let api = api();
    let t = token("nurse.hughes").await;
    let exe = b"MZ\x90\x00 not really a pdf, padded to look like one".repeat(4);
    let decl = declaration("10000011", "lab", "report.pdf", "application/pdf", &exe);
    start_and_put(&api, &t, &decl, &exe).await;
    let results = complete(&api, &t, &[decl]).await;
    assert_eq!(results[0]["outcome"], "refused");
    assert_eq!(results[0]["error"]["code"], "invalid_input");
}

#[tokio::test]
async fn twenty_concurrent_completes_never_leave_more_than_three_preop_images() {
    let api = api();
    let t = token("nurse.hughes").await;
    // Patient 10000005 starts with no documents (demo data).
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
        start_and_put(&api, &t, &decl, &jpeg).await;
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
        start_and_put(&api, &t, &decl, &pdf).await;
        labs.push(decl);
    }
    let all: Vec<Value> = preop.iter().chain(labs.iter()).cloned().collect();
    let calls = all.iter().map(|d| {
        let api = &api;
        let t = &t;
        async move { complete(api, t, std::slice::from_ref(d)).await.remove(0) }
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
    let m = manifest("10000005").await;
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
    start_and_put(&api, &t, &decl, &jpeg).await;
    let r = complete(&api, &t, &[decl]).await;
    assert_eq!(r[0]["outcome"], "attached");
    let m = manifest("10000005").await;
    let replaced = m
        .documents
        .iter()
        .filter(|d| d.status == DocumentStatus::Replaced)
        .count();
    assert_eq!(replaced, 1);
}
