//! `POST /fhir/R4/DocumentReference`, in-process: every `/v1` upload rule holds (role, type
//! by content, size, preop limit, break-glass), a retry creates nothing, and the created
//! document is processed and served as a `/v1` upload is.

use axum::body::Body;
use base64::Engine;
use chartdesk_domain::{sha256_hex, DocumentStatus};
use chartdesk_sandbox::{demo_jpeg, demo_pdf};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{fhir_get, fhir_send, spine_code, Answer, NHS};
use crate::harness::token;
use crate::in_process::{Local, REASON_HEADERS};

const SNOMED: &str = "http://snomed.info/sct";
pub const LAB: &str = "4241000179101";
const PREOP: &str = "371530004";
const REPLACE_OLDEST: &str = "https://chartdesk.nhs.uk/fhir/StructureDefinition/replace-oldest";

/// A DocumentReference for the patient with NHS number `nhs`, the file inline.
pub fn posted(nhs: &str, snomed: &str, title: &str, content_type: &str, bytes: &[u8]) -> Value {
    json!({
        "resourceType": "DocumentReference",
        "status": "current",
        "type": { "coding": [{ "system": SNOMED, "code": snomed }] },
        "subject": { "identifier": { "system": NHS, "value": nhs } },
        "content": [{ "attachment": {
            "contentType": content_type, "title": title,
            "data": base64::engine::general_purpose::STANDARD.encode(bytes),
        } }]
    })
}

pub async fn post(api: &Local, token: &str, resource: &Value, headers: &[(&str, &str)]) -> Answer {
    let mut all = vec![("content-type", "application/fhir+json")];
    all.extend_from_slice(headers);
    let body = Body::from(resource.to_string());
    fhir_send(
        api,
        "POST",
        Some(token),
        "/fhir/R4/DocumentReference",
        &all,
        body,
    )
    .await
}

/// A server with one registered patient of the test's own (no documents).
pub async fn with_patient(mrn: &str, nhs: &str, restricted: bool) -> Local {
    let api = Local::new().await;
    let (status, body) = api.put_patient(mrn, nhs, restricted, restricted).await;
    assert_eq!(status, 200, "{body}");
    api
}

fn if_none_exist(id: Uuid) -> String {
    format!("identifier=urn:ietf:rfc:3986|urn:uuid:{id}")
}

#[tokio::test]
async fn an_inline_document_is_created_read_back_and_served_once_processed() {
    let api = with_patient("32000001", "9451600019", false).await;
    let nurse = token("nurse.hughes").await;
    let pdf = demo_pdf("Full blood count", "Haemoglobin 131 g/L");
    let created = post(
        &api,
        &nurse,
        &posted("9451600019", LAB, "fbc.pdf", "application/pdf", &pdf),
        &[],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.content_type, "application/fhir+json");
    let resource = &created.body;
    let id = resource["id"].as_str().unwrap();
    assert!(id.starts_with("32000001-"), "{id}");
    assert!(created
        .location
        .unwrap()
        .ends_with(&format!("/DocumentReference/{id}")));
    assert_eq!(resource["docStatus"], "preliminary");
    assert_eq!(resource["type"]["coding"][0]["code"], LAB);
    assert_eq!(resource["author"][0]["display"], "nurse.hughes");
    let attachment = &resource["content"][0]["attachment"];
    assert_eq!(attachment["extension"][0]["valueString"], sha256_hex(&pdf));
    assert!(
        attachment.get("url").is_none(),
        "nothing served before it is found clean"
    );

    let read = fhir_get(
        &api,
        Some(&nurse),
        &format!("/fhir/R4/DocumentReference/{id}"),
        &[],
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(&read.body, resource);
    let doc: Uuid = resource["masterIdentifier"]["value"]
        .as_str()
        .unwrap()
        .strip_prefix("urn:uuid:")
        .unwrap()
        .parse()
        .unwrap();
    api.process("32000001", doc).await;
    let binary = fhir_get(&api, Some(&nurse), &format!("/fhir/R4/Binary/{id}"), &[]).await;
    assert_eq!(binary.status, 302, "{}", binary.body);
    let bytes = api
        .store
        .fetch(binary.location.as_deref().unwrap())
        .unwrap();
    assert_eq!(bytes, pdf);
}

#[tokio::test]
async fn a_retry_with_the_same_if_none_exist_answers_the_document_and_creates_nothing() {
    let api = with_patient("32000002", "9451600027", false).await;
    let nurse = token("nurse.hughes").await;
    let id = Uuid::now_v7();
    let header = if_none_exist(id);
    let resource = posted(
        "9451600027",
        LAB,
        "fbc.pdf",
        "application/pdf",
        &demo_pdf("FBC", "FBC"),
    );
    let first = post(&api, &nurse, &resource, &[("if-none-exist", &header)]).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(
        first.body["masterIdentifier"]["value"],
        format!("urn:uuid:{id}")
    );
    let again = post(&api, &nurse, &resource, &[("if-none-exist", &header)]).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(api.manifest("32000002").await.documents.len(), 1);
    let uploads = api
        .history("32000002")
        .await
        .into_iter()
        .filter(|e| e["action"] == "upload")
        .count();
    assert_eq!(uploads, 1);
}

#[tokio::test]
async fn a_file_not_of_its_declared_type_by_content_is_an_invalid_resource() {
    let api = with_patient("32000003", "9451600035", false).await;
    let nurse = token("nurse.hughes").await;
    let exe = b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode".to_vec();
    for (title, bytes) in [("photo.pdf", demo_jpeg(3)), ("tool.pdf", exe)] {
        let resource = posted("9451600035", LAB, title, "application/pdf", &bytes);
        let refused = post(&api, &nurse, &resource, &[]).await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert_eq!(spine_code(&refused.body), Some("INVALID_RESOURCE"));
    }
    assert!(api.manifest("32000003").await.documents.is_empty());
}

#[tokio::test]
async fn an_inline_file_over_8_mib_is_refused_with_413_naming_the_two_step_upload() {
    let api = with_patient("32000004", "9451600043", false).await;
    let nurse = token("nurse.hughes").await;
    let mut big = demo_pdf("Big", "Big");
    big.resize(8 * 1024 * 1024 + 1, b' ');
    let refused = post(
        &api,
        &nurse,
        &posted("9451600043", LAB, "big.pdf", "application/pdf", &big),
        &[],
    )
    .await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert_eq!(refused.body["resourceType"], "OperationOutcome");
    let words = refused.body["issue"][0]["diagnostics"].as_str().unwrap();
    assert!(words.contains("two steps"), "{words}");
}

#[tokio::test]
async fn a_fourth_preop_image_is_refused_then_replaces_the_oldest_when_asked() {
    let api = with_patient("32000005", "9451600051", false).await;
    let nurse = token("nurse.hughes").await;
    for i in 0..3 {
        let resource = posted("9451600051", PREOP, "pre.jpg", "image/jpeg", &demo_jpeg(i));
        assert_eq!(post(&api, &nurse, &resource, &[]).await.status, 201);
    }
    let mut fourth = posted("9451600051", PREOP, "pre4.jpg", "image/jpeg", &demo_jpeg(9));
    let full = post(&api, &nurse, &fourth, &[]).await;
    assert_eq!(full.status, 409, "{}", full.body);
    let words = full.body["issue"][0]["diagnostics"].as_str().unwrap();
    assert_eq!(words, chartdesk_domain::AttachError::PreopFull.to_string());
    fourth["extension"] = json!([{ "url": REPLACE_OLDEST, "valueBoolean": true }]);
    let replaced = post(&api, &nurse, &fourth, &[]).await;
    assert_eq!(replaced.status, 201, "{}", replaced.body);
    let manifest = api.manifest("32000005").await;
    let count = |s: DocumentStatus| manifest.documents.iter().filter(|d| d.status == s).count();
    assert_eq!(
        (
            count(DocumentStatus::Attached),
            count(DocumentStatus::Replaced)
        ),
        (3, 1)
    );
}

#[tokio::test]
async fn ward_staff_and_records_admins_create_and_a_clinician_may_not() {
    let api = with_patient("32000006", "9451600078", false).await;
    for (user, status) in [
        ("nurse.hughes", 201),
        ("admin.byrne", 201),
        ("dr.okafor", 403),
        ("visitor.lee", 403),
    ] {
        let resource = posted(
            "9451600078",
            LAB,
            "fbc.pdf",
            "application/pdf",
            &demo_pdf(user, user),
        );
        let answer = post(&api, &token(user).await, &resource, &[]).await;
        assert_eq!(answer.status, status, "{user}: {}", answer.body);
    }
    let anonymous = fhir_send(
        &api,
        "POST",
        None,
        "/fhir/R4/DocumentReference",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["resourceType"], "OperationOutcome");
}

#[tokio::test]
async fn a_restricted_record_without_break_glass_is_refused_and_audited() {
    let api = with_patient("32000007", "9451600086", true).await;
    let nurse = token("nurse.hughes").await;
    let mut resource = posted(
        "9451600086",
        LAB,
        "fbc.pdf",
        "application/pdf",
        &demo_pdf("R", "R"),
    );
    resource["subject"] = json!({ "reference": "Patient/32000007" });
    let refused = post(&api, &nurse, &resource, &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(spine_code(&refused.body), Some("ACCESS_DENIED"));
    let refusals = api
        .history("32000007")
        .await
        .into_iter()
        .filter(|e| e["actor"] == "nurse.hughes")
        .count();
    assert!(refusals >= 1, "the refusal is in the access history");
    assert!(api.manifest("32000007").await.documents.is_empty());
    let created = post(&api, &nurse, &resource, &REASON_HEADERS).await;
    assert_eq!(created.status, 201, "{}", created.body);
}

#[tokio::test]
async fn a_documents_access_history_is_read_by_records_admins_only() {
    let api = with_patient("32000008", "9451600094", false).await;
    let nurse = token("nurse.hughes").await;
    let mut ids = Vec::new();
    for name in ["a.pdf", "b.pdf"] {
        let resource = posted(
            "9451600094",
            LAB,
            name,
            "application/pdf",
            &demo_pdf(name, name),
        );
        let created = post(&api, &nurse, &resource, &[]).await;
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push(created.body["id"].as_str().unwrap().to_string());
    }
    let read = format!("/fhir/R4/DocumentReference/{}", ids[0]);
    assert_eq!(fhir_get(&api, Some(&nurse), &read, &[]).await.status, 200);
    let path = format!("/fhir/R4/AuditEvent?entity=DocumentReference/{}", ids[0]);
    let doctor = token("dr.okafor").await;
    let refused = fhir_get(&api, Some(&doctor), &path, &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(spine_code(&refused.body), Some("ACCESS_DENIED"));
    let admin = token("admin.byrne").await;
    let history = fhir_get(&api, Some(&admin), &path, &[]).await;
    assert_eq!(history.status, 200, "{}", history.body);
    let events = history.body["entry"].as_array().unwrap();
    let doc = ids[0].strip_prefix("32000008-").unwrap();
    // Its upload and its read, and nothing of the other document.
    assert!(events.len() >= 2, "{}", history.body);
    for event in events {
        let entity = event["resource"]["entity"].to_string();
        assert!(entity.contains(doc), "{entity}");
    }
    assert!(history.body["link"][0]["url"]
        .as_str()
        .unwrap()
        .contains("entity=DocumentReference/"));
}

#[tokio::test]
async fn the_capability_statement_lists_create_conditional_create_and_the_entity_parameter() {
    let api = Local::new().await;
    let metadata = fhir_get(&api, None, "/fhir/R4/metadata", &[]).await;
    let resources = metadata.body["rest"][0]["resource"].as_array().unwrap();
    let of = |t: &str| resources.iter().find(|r| r["type"] == t).unwrap();
    let documents = of("DocumentReference");
    assert!(documents["interaction"].to_string().contains("\"create\""));
    assert_eq!(documents["conditionalCreate"], true);
    assert!(of("AuditEvent")["searchParam"]
        .to_string()
        .contains("\"entity\""));
}
