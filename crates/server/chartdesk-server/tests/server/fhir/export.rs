//! FHIR Bulk Data `$export`: records admins only, asynchronous (`Prefer: respond-async`), made
//! by the processing worker, handed out as presigned NDJSON files that validate, with exactly
//! the records asked for, and audited in each patient's access history.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use chartdesk_domain::Category;
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::RecordStore;
use chartdesk_worker::{Handled, Notice};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

use super::validation::validated;
use super::{spine_code, NHS};
use crate::harness::{api, token};
use crate::in_process::{Local, REASON_HEADERS};

pub(super) const ASYNC: (&str, &str) = ("prefer", "respond-async");

/// One in-process request: status, headers, body bytes.
pub(super) async fn call(
    api: &Local,
    method: &str,
    token: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, HeaderMap, Vec<u8>) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let response = chartdesk_server::app(api.state.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 8 << 20)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

pub(super) fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// The job id and status path a kick-off answered with.
pub(super) fn status_path(headers: &HeaderMap) -> (Uuid, String) {
    let location = headers["content-location"].to_str().unwrap();
    let at = location.find("/fhir/R4/$export-status/").unwrap();
    let path = location[at..].to_string();
    let job = path.rsplit('/').next().unwrap().parse().unwrap();
    (job, path)
}

/// The worker's export step on this server's stores, as the queue would run it.
pub(super) async fn run_worker(api: &Local, job: Uuid) -> Handled {
    let worker = api.worker(Local::clamav(), 1024);
    let key = chartdesk_fhir::bulk::job_key(job);
    worker.handle(&Notice::Landed { key }, false).await.unwrap()
}

pub(super) fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(super) fn ids(resources: &[Value]) -> BTreeSet<String> {
    resources
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_group_export_of_two_patients_holds_exactly_their_records_validates_and_is_audited() {
    let api = Local::new().await;
    let first = api
        .patient_with_documents("33000001", "9433000013", 2)
        .await;
    let second = api
        .patient_with_documents("33000002", "9433000021", 1)
        .await;
    api.patient_with_documents("33000003", "9433000048", 3)
        .await;
    let admin = token("admin.byrne").await;
    let group = json!({"resourceType": "Group", "type": "person", "actual": true, "member": [
        {"entity": {"reference": "Patient/33000001"}},
        {"entity": {"identifier": {"system": NHS, "value": "9433000021"}}},
    ]});
    let fhir_json = ("content-type", "application/fhir+json");
    let (status, headers, body) = call(
        &api,
        "POST",
        &admin,
        "/fhir/R4/Group",
        &[fhir_json],
        Some(group),
    )
    .await;
    let created = json_of(&body);
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(headers["location"].to_str().unwrap().ends_with(id));
    let (status, _, body) = call(
        &api,
        "GET",
        &admin,
        &format!("/fhir/R4/Group/{id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let read = json_of(&body);
    let members: Vec<&str> = read["member"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["entity"]["reference"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["Patient/33000001", "Patient/33000002"]);

    let kick_off = format!("/fhir/R4/Group/{id}/$export?_type=Patient,DocumentReference");
    let (status, headers, _) = call(&api, "GET", &admin, &kick_off, &[ASYNC], None).await;
    assert_eq!(status, 202);
    let (job, status_path) = status_path(&headers);
    let (status, headers, _) = call(&api, "GET", &admin, &status_path, &[], None).await;
    assert_eq!(status, 202, "not made until the worker makes it");
    assert!(headers.contains_key("x-progress") && headers.contains_key("retry-after"));

    assert_eq!(run_worker(&api, job).await, Handled::Exported);
    assert_eq!(run_worker(&api, job).await, Handled::AlreadyDone);
    let (status, _, body) = call(&api, "GET", &admin, &status_path, &[], None).await;
    let manifest = json_of(&body);
    assert_eq!(status, 200, "{manifest}");
    assert_eq!(manifest["requiresAccessToken"], false);
    assert!(manifest["request"].as_str().unwrap().ends_with(&kick_off));
    assert!(manifest["transactionTime"].is_string());
    assert_eq!(manifest["error"], json!([]));
    let mut all = Vec::new();
    let mut by_type = std::collections::BTreeMap::new();
    for file in manifest["output"].as_array().unwrap() {
        let kind = file["type"].as_str().unwrap().to_string();
        let bytes = api.store.fetch(file["url"].as_str().unwrap()).unwrap();
        let store: &dyn RecordStore = api.store.as_ref();
        let key = format!("exports/{job}/{kind}.ndjson");
        assert_eq!(bytes, store.get_bytes(&key).await.unwrap().unwrap().0);
        let resources = lines(&bytes);
        assert_eq!(file["count"], resources.len());
        all.extend(resources.iter().cloned());
        by_type.insert(kind, resources);
    }
    assert_eq!(
        ids(&by_type["Patient"]),
        BTreeSet::from(["33000001".to_string(), "33000002".to_string()])
    );
    let expected: BTreeSet<String> = first
        .iter()
        .map(|d| format!("33000001-{d}"))
        .chain(second.iter().map(|d| format!("33000002-{d}")))
        .collect();
    assert_eq!(
        ids(&by_type["DocumentReference"]),
        expected,
        "exactly theirs"
    );
    let said = validated(&all);
    assert!(said.contains("checked 5 resources, 0 failed"), "{said}");

    for mrn in ["33000001", "33000002"] {
        let history = api.history(mrn).await;
        assert!(
            history
                .iter()
                .any(|e| e["action"] == "export_record" && e["actor"] == "admin.byrne"),
            "{mrn}: {history:?}"
        );
    }
    assert!(!api
        .history("33000003")
        .await
        .iter()
        .any(|e| e["action"] == "export_record"));
}

#[tokio::test]
async fn only_records_admins_start_an_export_and_only_asynchronously() {
    let api = Local::new().await;
    api.patient_with_documents("33000005", "9433000056", 1)
        .await;
    let kick_off = "/fhir/R4/Patient/33000005/$export";
    let group = json!({"resourceType": "Group", "type": "person", "actual": true,
        "member": [{"entity": {"reference": "Patient/33000005"}}]});
    for user in ["nurse.hughes", "dr.okafor"] {
        let t = token(user).await;
        for method in ["GET", "POST"] {
            let (status, _, body) = call(&api, method, &t, kick_off, &[ASYNC], None).await;
            assert_eq!(status, 403, "{user} {method}");
            assert_eq!(spine_code(&json_of(&body)), Some("ACCESS_DENIED"));
        }
        let (status, _, body) =
            call(&api, "POST", &t, "/fhir/R4/Group", &[], Some(group.clone())).await;
        assert_eq!(status, 403, "{user}");
        assert_eq!(spine_code(&json_of(&body)), Some("ACCESS_DENIED"));
    }
    let admin = token("admin.byrne").await;
    let (status, headers, body) = call(&api, "GET", &admin, kick_off, &[], None).await;
    assert_eq!(status, 400, "without Prefer: respond-async");
    assert_eq!(json_of(&body)["resourceType"], "OperationOutcome");
    assert!(!headers.contains_key("content-location"));
    for refused in ["_type=Observation", "_outputFormat=text%2Fcsv"] {
        let path = format!("{kick_off}?{refused}");
        let (status, _, _) = call(&api, "GET", &admin, &path, &[ASYNC], None).await;
        assert_eq!(status, 400, "{refused}");
    }
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(store.list_keys("exports/").await.unwrap().is_empty());
    let (status, _, _) = call(&api, "POST", &admin, kick_off, &[ASYNC], None).await;
    assert_eq!(status, 202, "POST starts one too");
}

#[tokio::test]
async fn an_export_s_status_is_for_the_admin_who_asked_and_a_cancelled_one_is_gone() {
    let api = Local::new().await;
    api.patient_with_documents("33000006", "9433000013", 1)
        .await;
    let admin = token("admin.byrne").await;
    // A job another records admin started.
    let theirs = Uuid::now_v7();
    let job = json!({"id": theirs, "requested_by": "admin.other", "requested_at": "2026-12-01T09:00:00Z",
        "request": "/fhir/R4/Patient/33000006/$export", "mrns": ["33000006"],
        "types": ["Patient"], "include_history": true});
    let store: &dyn RecordStore = api.store.as_ref();
    store
        .put_json(&chartdesk_fhir::bulk::job_key(theirs), &job, Write::Create)
        .await
        .unwrap();
    let path = format!("/fhir/R4/$export-status/{theirs}");
    for method in ["GET", "DELETE"] {
        let (status, _, body) = call(&api, method, &admin, &path, &[], None).await;
        assert_eq!(status, 404, "{method}");
        assert_eq!(json_of(&body)["resourceType"], "OperationOutcome");
    }
    assert!(store
        .exists(&chartdesk_fhir::bulk::job_key(theirs))
        .await
        .unwrap());

    let kick_off = "/fhir/R4/Patient/33000006/$export";
    let (status, headers, _) = call(&api, "GET", &admin, kick_off, &[ASYNC], None).await;
    assert_eq!(status, 202);
    let (job, own) = status_path(&headers);
    assert_eq!(run_worker(&api, job).await, Handled::Exported);
    let (status, _, _) = call(&api, "DELETE", &admin, &own, &[], None).await;
    assert_eq!(status, 202);
    let (status, _, _) = call(&api, "GET", &admin, &own, &[], None).await;
    assert_eq!(status, 404);
    let left = store.list_keys(&format!("exports/{job}/")).await.unwrap();
    assert!(left.is_empty(), "{left:?}");
}

/// The real server process: the job's creation reaches the worker through moto's S3
/// notification and the SQS queue, and the manifest's URLs are the bucket's presigned GETs.
#[tokio::test]
async fn a_patient_export_is_made_by_the_worker_polling_the_queue() {
    chartdesk_testkit::cloud()
        .seed_patient("33000004", &[Category::Lab, Category::Radiology])
        .await;
    let api = api();
    let admin = token("admin.byrne").await;
    let kick_off = api
        .http
        .get(api.url("/fhir/R4/Patient/33000004/$export"))
        .bearer_auth(&admin)
        .header(ASYNC.0, ASYNC.1)
        .send()
        .await
        .unwrap();
    assert_eq!(kick_off.status().as_u16(), 202);
    let location = kick_off.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(location.starts_with(&api.base), "{location}");
    let mut manifest = Value::Null;
    for _ in 0..120 {
        let status = api
            .http
            .get(&location)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        if status.status().as_u16() == 200 {
            manifest = status.json().await.unwrap();
            break;
        }
        assert_eq!(status.status().as_u16(), 202);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let output = manifest["output"].as_array().expect("made within a minute");
    let mut counts = std::collections::BTreeMap::new();
    for file in output {
        let bytes = api
            .http
            .get(file["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let resources = lines(&bytes);
        assert_eq!(file["count"], resources.len());
        for r in &resources {
            let id = r["id"].as_str().unwrap();
            assert!(id.starts_with("33000004"), "{id}");
        }
        counts.insert(file["type"].as_str().unwrap().to_string(), resources.len());
    }
    assert_eq!(counts["Patient"], 1);
    assert_eq!(counts["DocumentReference"], 2);
}

#[tokio::test]
async fn a_restricted_record_is_exported_only_with_the_break_glass_reason_which_its_history_keeps()
{
    let api = Local::new().await;
    assert_eq!(
        api.put_patient("33000009", "9433000013", true, true)
            .await
            .0,
        200
    );
    let admin = token("admin.byrne").await;
    let kick_off = "/fhir/R4/Patient/33000009/$export";
    let (status, _, body) = call(&api, "GET", &admin, kick_off, &[ASYNC], None).await;
    assert_eq!(status, 403, "without a reason");
    assert_eq!(spine_code(&json_of(&body)), Some("ACCESS_DENIED"));
    let store: &dyn RecordStore = api.store.as_ref();
    assert!(store.list_keys("exports/").await.unwrap().is_empty());
    let mut headers = REASON_HEADERS.to_vec();
    headers.push(ASYNC);
    let (status, _, _) = call(&api, "GET", &admin, kick_off, &headers, None).await;
    assert_eq!(status, 202);
    let history = api.history("33000009").await;
    let export = history
        .iter()
        .find(|e| e["action"] == "export_record")
        .unwrap_or_else(|| panic!("{history:?}"));
    assert!(
        export["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{export}"
    );
    assert!(history.iter().any(|e| e["action"] == "asked_restricted"));
}
