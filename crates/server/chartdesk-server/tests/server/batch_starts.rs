//! Starting many uploads in one request (`POST /v1/uploads/start`, issue 25 item 1): each
//! patient's record is reached and read once, not once a file; each upload gets its own answer
//! in the order asked; the early preop check counts the batch's own images. In-process.

use chartdesk_sandbox::demo_jpeg;
use serde_json::{json, Value};

use chartdesk_records::store::RecordStore;

use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

fn pdf(mrn: &str, n: usize) -> (Value, Vec<u8>) {
    let bytes = chartdesk_sandbox::demo_pdf("Result", &format!("batch start {n}"));
    let decl = declaration(mrn, "lab", "result.pdf", "application/pdf", &bytes);
    (decl, bytes)
}

async fn start_many(api: &Local, t: &str, decls: &[Value]) -> Vec<Value> {
    let (status, body) = api
        .post(t, "/v1/uploads/start", &json!({ "uploads": decls }))
        .await;
    assert_eq!(status, 200, "{body}");
    body["results"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_batch_reads_each_record_once_and_answers_every_upload_in_order() {
    let api = Local::new().await;
    for mrn in ["35000011", "35000012", "35000013"] {
        api.seed_patient(mrn).await;
    }
    let t = token("nurse.hughes").await;
    // What one file's start reads, for comparison.
    let before = api.store.reads();
    start_many(&api, &t, &[pdf("35000013", 0).0]).await;
    let one = api.store.reads() - before;
    let mut files: Vec<(Value, Vec<u8>)> = Vec::new();
    for (n, mrn) in ["35000011", "35000012", "35000011", "35000011", "35000012"]
        .into_iter()
        .enumerate()
    {
        files.push(pdf(mrn, n + 1));
    }
    let mut bad = pdf("35000011", 9).0;
    bad["sha256"] = json!("not a digest");
    let mut decls: Vec<Value> = files.iter().map(|(d, _)| d.clone()).collect();
    decls.insert(2, bad.clone());
    let before = api.store.reads();
    let results = start_many(&api, &t, &decls).await;
    assert_eq!(
        api.store.reads() - before,
        2 * one,
        "six files of two patients read as much as two files of one each"
    );
    assert_eq!(results.len(), 6);
    for (decl, result) in decls.iter().zip(&results) {
        assert_eq!(result["doc_id"], decl["doc_id"], "in the order asked");
    }
    assert_eq!(
        results[2]["error"]["code"], "invalid_input",
        "{}",
        results[2]
    );
    assert!(results[2]["started"].is_null());
    // The others go ahead: their bytes sent as presigned, then attached in one complete.
    let started: Vec<&Value> = results.iter().filter(|r| r["error"].is_null()).collect();
    for ((decl, bytes), result) in files.iter().zip(started) {
        assert_eq!(result["started"]["already_attached"], false);
        let put = &result["started"]["objects"][0]["put"];
        api.put_presigned(put, bytes)
            .unwrap_or_else(|e| panic!("{decl}: {e:?}"));
    }
    let decls: Vec<Value> = files.into_iter().map(|(d, _)| d).collect();
    let done = api.complete(&t, &decls).await;
    assert!(done.iter().all(|r| r["outcome"] == "attached"), "{done:?}");
    // A replay of the batch says there is nothing left to send.
    let again = start_many(&api, &t, &decls).await;
    assert!(
        again
            .iter()
            .all(|r| r["started"]["already_attached"] == true),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_batch_of_preop_images_cannot_start_more_than_preop_holds() {
    let api = Local::new().await;
    api.seed_patient("35000014").await;
    let t = token("nurse.hughes").await;
    let images: Vec<Value> = (0..4u8)
        .map(|n| {
            let jpeg = demo_jpeg(n);
            declaration("35000014", "preop", "photo.jpg", "image/jpeg", &jpeg)
        })
        .collect();
    let results = start_many(&api, &t, &images).await;
    let refused: Vec<&Value> = results
        .iter()
        .filter(|r| r["error"]["code"] == "preop_full")
        .collect();
    assert_eq!(refused.len(), 1, "{results:?}");
    assert_eq!(refused[0]["doc_id"], images[3]["doc_id"], "the last asked");
    // The user's choice, Replace oldest, lets the fourth go ahead.
    let mut fourth = images[3].clone();
    fourth["replace_oldest"] = json!(true);
    let results = start_many(&api, &t, &[fourth]).await;
    assert!(results[0]["error"].is_null(), "{results:?}");
}

#[tokio::test]
async fn a_restricted_record_needs_a_reason_and_its_batch_is_one_break_glass_event() {
    let api = Local::new().await;
    assert_eq!(
        api.put_patient("35000015", "9434765919", true, false)
            .await
            .0,
        200
    );
    let t = token("nurse.hughes").await;
    let decls = vec![pdf("35000015", 1).0, pdf("35000015", 2).0];
    let results = start_many(&api, &t, &decls).await;
    assert!(
        results
            .iter()
            .all(|r| r["error"]["code"] == "reason_required" && r["started"].is_null()),
        "{results:?}"
    );
    let reason = crate::in_process::REASON_HEADERS;
    let body = json!({ "uploads": decls });
    let (status, answer) = api
        .request("POST", &t, "/v1/uploads/start", &reason, Some(&body))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["error"].is_null()),
        "{answer}"
    );
    let mut glass: Vec<Value> = api
        .audit_events()
        .await
        .into_iter()
        .filter(|e| e["action"] == "break_glass" && e["mrn"] == "35000015")
        .collect();
    // The trail keeps an event under more than one index.
    glass.dedup_by_key(|e| e["event_id"].to_string());
    assert_eq!(glass.len(), 1, "{glass:?}");
    let ids: Vec<Value> = decls.iter().map(|d| d["doc_id"].clone()).collect();
    assert_eq!(glass[0]["doc_ids"], Value::Array(ids), "{}", glass[0]);
}

#[tokio::test]
async fn the_same_declaration_twice_in_one_batch_opens_one_multipart_upload() {
    let api = Local::new().await;
    api.seed_patient("35000017").await;
    let t = token("nurse.hughes").await;
    // Over one part: sent in parts, so each presign would open a multipart upload of its own.
    let mut bytes = chartdesk_sandbox::demo_pdf("Result", "twice");
    bytes.resize(9 * 1024 * 1024, b' ');
    let mut decl = declaration("35000017", "lab", "big.pdf", "application/pdf", &bytes);
    let parts: Vec<String> = bytes
        .chunks(8 * 1024 * 1024)
        .map(chartdesk_domain::sha256_hex)
        .collect();
    decl["part_sha256"] = json!(parts);
    let results = start_many(&api, &t, &[decl.clone(), decl]).await;
    let upload_id = |r: &Value| r["started"]["objects"][0]["multipart"]["upload_id"].clone();
    assert!(upload_id(&results[0]).is_string(), "{results:?}");
    assert_eq!(upload_id(&results[0]), upload_id(&results[1]));
    assert_eq!(results[0], results[1]);
}

#[tokio::test]
async fn more_than_a_hundred_uploads_in_one_start_are_refused_whole() {
    let api = Local::new().await;
    let t = token("nurse.hughes").await;
    let decls: Vec<Value> = (0..101).map(|n| pdf("35000016", n).0).collect();
    let (status, body) = api
        .post(&t, "/v1/uploads/start", &json!({ "uploads": decls }))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_input");
}

#[tokio::test]
async fn a_start_writes_no_claim_and_the_first_complete_claims_the_id_in_one_request() {
    let api = Local::new().await;
    api.seed_patient("35000018").await;
    let t = token("nurse.hughes").await;
    let (decl, bytes) = pdf("35000018", 0);
    let id: uuid::Uuid = serde_json::from_value(decl["doc_id"].clone()).unwrap();
    let claim = chartdesk_records::doc_claim_key(id);
    let results = start_many(&api, &t, std::slice::from_ref(&decl)).await;
    assert_eq!(
        api.store.requests_on(&claim),
        0,
        "a start leaves the claim alone"
    );
    api.put_presigned(&results[0]["started"]["objects"][0]["put"], &bytes)
        .unwrap();
    let done = api.complete(&t, std::slice::from_ref(&decl)).await;
    assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    assert_eq!(
        api.store.requests_on(&claim),
        1,
        "one create-only write claims a fresh id"
    );
    let store: &dyn RecordStore = api.store.as_ref();
    let stored = store
        .get_json::<Value>(&claim)
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(stored.value["mrn"], "35000018");
}
