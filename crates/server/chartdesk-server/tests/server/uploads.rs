//! Uploads through the server process: start → PUT the bytes straight to S3 → complete, with
//! the helpers other areas share. The rules (replays, checksums, the preop race) are tested
//! in-process in `upload_rules.rs`.

use chartdesk_domain::sha256_hex;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::Api;

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
