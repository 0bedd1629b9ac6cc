//! `/v1/client-config` publishes the hospital's policy as this server enforces it: the values
//! come from the same settings and constants the routes check with, so a client that checks
//! early with them never disagrees with the server. In-process, with the hospital's settings
//! given as the process would read them.

use chartdesk_domain::upload_protocol::{
    MULTIPART_THRESHOLD, PARALLEL_PARTS, PART_SIZE, SINGLE_PUT_MAX,
};
use chartdesk_domain::{
    keys, sha256_hex, Category, Mrn, ACCEPTED_TYPES, DEFAULT_MRN_PATTERN, PREOP_IMAGE_LIMIT,
};
use chartdesk_records::store::RecordStore;
use serde_json::{json, Value};
use uuid::Uuid;

use axum::body::Body;
use axum::http::Request;

use crate::harness::token;
use crate::in_process::Local;

async fn client_config(api: &Local) -> Value {
    let request = Request::get("/v1/client-config").body(Body::empty());
    let (status, body) = api.send(request.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_client_config_publishes_the_defaults_the_server_enforces() {
    let body = client_config(&Local::new().await).await;
    assert_eq!(body["mrn_pattern"], DEFAULT_MRN_PATTERN);
    assert_eq!(body["max_upload_bytes"], 50 * 1024 * 1024);
    assert_eq!(body["preop_image_limit"], PREOP_IMAGE_LIMIT);
    assert_eq!(body["upload"]["part_size"], PART_SIZE);
    assert_eq!(body["upload"]["parallel_parts"], PARALLEL_PARTS);
    assert_eq!(body["upload"]["multipart_threshold"], MULTIPART_THRESHOLD);
    let types: Vec<&str> = body["accepted_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["content_type"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = ACCEPTED_TYPES.iter().map(|t| t.content_type).collect();
    assert_eq!(types, expected);
}

#[tokio::test]
async fn a_hospitals_own_mrn_pattern_and_upload_limit_are_published_and_enforced() {
    let api = Local::demo_with(&[
        ("CHARTDESK_MRN_PATTERN", "^[A-Z]{2}[0-9]{5}$"),
        ("CHARTDESK_MAX_UPLOAD_MIB", "1"),
        ("CHARTDESK_IDLE_LOCK_SECONDS", "42"),
    ])
    .await;
    let body = client_config(&api).await;
    assert_eq!(body["mrn_pattern"], "^[A-Z]{2}[0-9]{5}$");
    assert_eq!(body["max_upload_bytes"], 1024 * 1024);
    assert_eq!(body["idle_lock_seconds"], 42);

    // What it publishes is what it refuses: a default-pattern MRN, a file over the limit.
    let t = token("nurse.hughes").await;
    let declare = |mrn: &str, size: usize| {
        json!({
            "doc_id": Uuid::now_v7(), "mrn": mrn, "category": "lab", "file_name": "a.pdf",
            "content_type": "application/pdf", "size": size, "sha256": sha256_hex(b"x"),
        })
    };
    let (status, refused) = api.post(&t, "/v1/uploads", &declare("10000011", 10)).await;
    assert_eq!(status, 400, "{refused}");
    let (status, refused) = api
        .post(&t, "/v1/uploads", &declare("AB12345", 2 * 1024 * 1024))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("1 MiB"));
}

#[tokio::test]
async fn the_start_answer_says_the_part_size_and_parallelism_of_its_upload() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let body = b"%PDF-1.4 policy";
    let decl = json!({
        "doc_id": Uuid::now_v7(), "mrn": "10000011", "category": "lab", "file_name": "p.pdf",
        "content_type": "application/pdf", "size": body.len(), "sha256": sha256_hex(body),
    });
    let (status, started) = api.post(&t, "/v1/uploads", &decl).await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["part_size"], PART_SIZE);
    assert_eq!(started["parallel_parts"], PARALLEL_PARTS);
}

#[test]
fn the_published_policy_fields_carry_their_constraints_in_the_openapi_document() {
    let doc = serde_json::to_value(chartdesk_server::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let config = &schemas["ClientConfig"]["properties"];
    for field in ["idle_lock_seconds", "max_upload_bytes", "preop_image_limit"] {
        assert_eq!(config[field]["minimum"], 1, "{field}");
    }
    assert_eq!(config["accepted_types"]["minItems"], 1);
    assert_eq!(
        schemas["UploadProtocol"]["properties"]["part_size"]["minimum"],
        5 * 1024 * 1024
    );
    let started = &schemas["StartedUpload"];
    assert_eq!(started["properties"]["parallel_parts"]["minimum"], 1);
    let required = started["required"].as_array().unwrap();
    assert!(required.contains(&json!("part_size")));
}

/// A declaration of `size` bytes, hashed in `parts` parts (none: one PUT).
fn declared(size: usize, parts: usize) -> Value {
    json!({
        "doc_id": Uuid::now_v7(), "mrn": "10000011", "category": "lab", "file_name": "s.pdf",
        "content_type": "application/pdf", "size": size, "sha256": sha256_hex(b"s"),
        "part_sha256": vec![sha256_hex(b"p"); parts],
    })
}

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn a_client_chooses_one_put_or_parts_and_the_server_serves_either() {
    let api = Local::demo_with(&[("CHARTDESK_MAX_UPLOAD_MIB", "6000")]).await;
    let t = token("nurse.hughes").await;
    let (status, one) = api.post(&t, "/v1/uploads", &declared(20 * MIB, 0)).await;
    assert_eq!(status, 200, "{one}");
    assert!(one["objects"][0]["put"]["url"].is_string(), "{one}");
    assert!(one["objects"][0]["multipart"].is_null(), "{one}");
    // A desktop that learnt the old 8 MiB threshold hashes the same file in parts.
    let (status, parts) = api.post(&t, "/v1/uploads", &declared(20 * MIB, 3)).await;
    assert_eq!(status, 200, "{parts}");
    let multipart = &parts["objects"][0]["multipart"];
    assert_eq!(multipart["parts"].as_array().unwrap().len(), 3, "{parts}");
    assert!(parts["objects"][0]["put"].is_null());
    // The threshold is the client's choice: one holding a higher one is still served.
    let (status, over) = api
        .post(&t, "/v1/uploads", &declared(MULTIPART_THRESHOLD + 1, 0))
        .await;
    assert_eq!(status, 200, "{over}");
    assert!(over["objects"][0]["put"]["url"].is_string(), "{over}");

    // S3 takes at most 5 GiB in one PUT.
    let huge = usize::try_from(SINGLE_PUT_MAX).unwrap() + 1;
    let (status, refused) = api.post(&t, "/v1/uploads", &declared(huge, 0)).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("over 5120 MiB"));
    // One part's size or less is never multipart: S3 would take a lone small part, but no
    // client of ours sends one.
    let (status, refused) = api.post(&t, "/v1/uploads", &declared(PART_SIZE, 1)).await;
    assert_eq!(status, 400, "{refused}");
    let (status, refused) = api.post(&t, "/v1/uploads", &declared(20 * MIB, 2)).await;
    assert_eq!(status, 400, "a part digest missing: {refused}");
}

#[tokio::test]
async fn a_retry_sent_in_one_put_aborts_the_parts_an_earlier_try_opened() {
    let api = Local::demo().await;
    let t = token("nurse.hughes").await;
    let first = declared(20 * MIB, 3);
    let (status, parts) = api.post(&t, "/v1/uploads", &first).await;
    assert_eq!(status, 200, "{parts}");
    let upload_id = parts["objects"][0]["multipart"]["upload_id"]
        .as_str()
        .unwrap()
        .to_string();
    let doc_id: Uuid = first["doc_id"].as_str().unwrap().parse().unwrap();
    let mrn = Mrn::from_stored("10000011").unwrap();
    let key = keys::original(&mrn, Category::Lab, doc_id, "pdf");
    assert!(api.store.multipart_open(&key, &upload_id).await, "{key}");
    // The same upload again, now in one PUT, naming the upload it had journaled.
    let mut again = first.clone();
    again["part_sha256"] = json!([]);
    again["resume_upload_id"] = json!(upload_id);
    let (status, one) = api.post(&t, "/v1/uploads", &again).await;
    assert_eq!(status, 200, "{one}");
    assert!(one["objects"][0]["put"]["url"].is_string(), "{one}");
    assert!(!api.store.multipart_open(&key, &upload_id).await);
}

#[tokio::test]
async fn a_hospitals_own_single_put_threshold_is_published() {
    let api = Local::demo_with(&[("CHARTDESK_MULTIPART_THRESHOLD_MIB", "16")]).await;
    assert_eq!(
        client_config(&api).await["upload"]["multipart_threshold"],
        16 * MIB
    );
}
