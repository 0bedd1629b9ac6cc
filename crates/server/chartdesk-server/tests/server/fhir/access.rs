//! The FHIR routes under `/v1`'s rules: tokens and roles, break-glass, and the access history.

use serde_json::Value;

use super::{by_nhs, fhir_get, spine_code, AMARA, SIOBHAN};
use crate::harness::token;
use crate::in_process::{Local, REASON_HEADERS};

fn routes(mrn: &str, nhs: &str) -> Vec<String> {
    let doc = format!("{mrn}-0190d2a8-0000-7000-8000-000000000000");
    vec![
        format!("/fhir/R4/Patient?identifier={}", by_nhs(nhs)),
        format!("/fhir/R4/Patient/{mrn}"),
        format!(
            "/fhir/R4/DocumentReference?patient.identifier={}",
            by_nhs(nhs)
        ),
        format!("/fhir/R4/DocumentReference/{doc}"),
        format!("/fhir/R4/Binary/{doc}"),
        format!("/fhir/R4/AuditEvent?patient=Patient/{mrn}"),
    ]
}

#[tokio::test]
async fn without_a_token_every_fhir_read_is_401_and_without_a_role_403_each_an_operation_outcome() {
    let api = Local::demo().await;
    let visitor = token("visitor.lee").await;
    for path in routes(AMARA.0, AMARA.1) {
        let anonymous = fhir_get(&api, None, &path, &[]).await;
        assert_eq!(anonymous.status, 401, "{path}");
        assert_eq!(anonymous.content_type, "application/fhir+json");
        assert_eq!(anonymous.body["resourceType"], "OperationOutcome");
        assert_eq!(anonymous.body["issue"][0]["code"], "login");
        let no_role = fhir_get(&api, Some(&visitor), &path, &[]).await;
        assert_eq!(no_role.status, 403, "{path}");
        assert_eq!(spine_code(&no_role.body), Some("ACCESS_DENIED"));
    }
    let capabilities = fhir_get(&api, None, "/fhir/R4/metadata", &[]).await;
    assert_eq!(capabilities.status, 200);
    assert_eq!(capabilities.body["resourceType"], "CapabilityStatement");
    let nurse = token("nurse.hughes").await;
    let path = format!("/fhir/R4/Patient/{}", AMARA.0);
    assert_eq!(fhir_get(&api, Some(&nurse), &path, &[]).await.status, 200);
}

fn actions_of<'a>(events: &'a [Value], actor: &str) -> Vec<&'a str> {
    events
        .iter()
        .filter(|e| e["actor"] == actor)
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_restricted_record_without_a_reason_is_refused_and_audited_and_with_one_served() {
    let api = Local::demo().await;
    let doctor = token("dr.okafor").await;
    for path in routes(SIOBHAN.0, SIOBHAN.1).into_iter().take(3) {
        let refused = fhir_get(&api, Some(&doctor), &path, &[]).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
        assert_eq!(spine_code(&refused.body), Some("ACCESS_DENIED"));
        let served = fhir_get(&api, Some(&doctor), &path, &REASON_HEADERS).await;
        assert_eq!(served.status, 200, "{path}: {}", served.body);
    }
    let history = api.history(SIOBHAN.0).await;
    let asked = "asked_restricted";
    let actions = actions_of(&history, "dr.okafor");
    assert_eq!(
        actions.iter().filter(|a| **a == asked).count(),
        3,
        "{actions:?}"
    );
    let with_reason = history
        .iter()
        .filter(|e| e["actor"] == "dr.okafor" && e["reason"].is_string())
        .count();
    assert_eq!(with_reason, 3, "{history:?}");
}

#[tokio::test]
async fn fhir_reads_are_in_the_access_history_as_the_same_v1_reads() {
    let api = Local::demo().await;
    let (doctor, nurse) = (token("dr.okafor").await, token("nurse.hughes").await);
    let manifest = api.manifest(AMARA.0).await;
    let doc = manifest
        .documents
        .iter()
        .find(|d| chartdesk_domain::may_serve(d))
        .unwrap();
    // Through /v1: the patient found, one document opened.
    let v1 = [
        format!("/v1/patients?q={}", AMARA.1),
        format!("/v1/patients/{}/documents/{}", AMARA.0, doc.id),
    ];
    for path in &v1 {
        assert_eq!(api.get(&doctor, path).await.0, 200, "{path}");
    }
    // Through FHIR: the same patient found, the same document's bytes.
    let fhir = [
        format!("/fhir/R4/Patient?identifier={}", by_nhs(AMARA.1)),
        format!("/fhir/R4/Binary/{}-{}", AMARA.0, doc.id),
    ];
    for path in &fhir {
        let answer = fhir_get(&api, Some(&nurse), path, &[]).await;
        assert!(
            matches!(answer.status, 200 | 302),
            "{path}: {}",
            answer.body
        );
    }
    let history = api.history(AMARA.0).await;
    let seen = |actor: &str| -> Vec<(Value, Value, Value)> {
        let mut events: Vec<_> = history
            .iter()
            .filter(|e| e["actor"] == actor)
            .map(|e| {
                (
                    e["action"].clone(),
                    e["doc_id"].clone(),
                    e["reason"].clone(),
                )
            })
            .collect();
        events.sort_by_key(|e| e.0.to_string());
        events
    };
    assert_eq!(seen("nurse.hughes"), seen("dr.okafor"));
    assert_eq!(seen("nurse.hughes").len(), 2, "{history:?}");
}

#[tokio::test]
async fn records_admins_read_the_access_history_as_audit_events_and_ward_staff_cannot() {
    let api = Local::demo().await;
    let (doctor, nurse) = (token("dr.okafor").await, token("nurse.hughes").await);
    let admin = token("admin.byrne").await;
    let patient = format!("/fhir/R4/Patient/{}", SIOBHAN.0);
    assert_eq!(
        fhir_get(&api, Some(&doctor), &patient, &REASON_HEADERS)
            .await
            .status,
        200
    );
    let path = format!("/fhir/R4/AuditEvent?patient=Patient/{}", SIOBHAN.0);
    let refused = fhir_get(&api, Some(&nurse), &path, &REASON_HEADERS).await;
    assert_eq!(refused.status, 403);
    assert_eq!(spine_code(&refused.body), Some("ACCESS_DENIED"));
    let history = fhir_get(&api, Some(&admin), &path, &REASON_HEADERS).await;
    assert_eq!(history.status, 200, "{}", history.body);
    let events: Vec<&Value> = history.body["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    let opened = events
        .iter()
        .find(|e| e["agent"][0]["who"]["display"] == "dr.okafor")
        .unwrap();
    assert_eq!(opened["subtype"][0]["code"], "break_glass");
    assert_eq!(
        opened["purposeOfEvent"][0]["text"],
        "safeguarding: audit review"
    );
    let read_history = events.iter().any(|e| {
        e["agent"][0]["who"]["display"] == "admin.byrne"
            && e["subtype"][0]["code"] == "read_history"
    });
    assert!(read_history, "reading the history is itself audited");
}
