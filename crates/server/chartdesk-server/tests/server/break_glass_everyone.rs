//! Break-glass holds for every role, records admins included, and every refused probe of a
//! restricted record leaves a trace ("asked for a restricted record"); a change of the
//! restriction flag is its own audit event, and a PUT that changes nothing is audited too.
//! The tests run in-process (`Local`); the helpers above them also serve the real-process tests.

use chartdesk_domain::{keys, Category, DocumentEntry, DocumentStatus, Manifest, Mrn};
use chartdesk_records::store::object_store::Write;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::{answer, api, store, token};
use crate::in_process::{Local, REASON_HEADERS};

pub const REASON: (&str, &str) = ("safeguarding", "audit%20review");
pub const REASON_SHOWN: &str = "safeguarding: audit review";

/// A request with the break-glass reason headers, or without.
pub fn reasoned(r: reqwest::RequestBuilder, with: bool) -> reqwest::RequestBuilder {
    if with {
        r.header("x-chartdesk-break-glass-reason", REASON.0)
            .header("x-chartdesk-break-glass-detail", REASON.1)
    } else {
        r
    }
}

/// A registration's body: one test patient, restricted or not.
pub fn patient_body(nhs: &str, restricted: bool) -> Value {
    json!({
        "nhs_number": nhs, "given_name": "Test", "family_name": "Restricted",
        "birth_date": "1970-01-01", "gender": "unknown", "postcode": "LS1 4AP",
        "restricted": restricted,
    })
}

/// PUT /v1/patients/{mrn} as records admin.
pub async fn put_patient(mrn: &str, nhs: &str, restricted: bool, reason: bool) -> (u16, Value) {
    let api = api();
    let admin = token("admin.byrne").await;
    let r = api
        .http
        .put(api.url(&format!("/v1/patients/{mrn}")))
        .bearer_auth(admin)
        .json(&patient_body(nhs, restricted));
    answer(reasoned(r, reason).send().await.unwrap()).await
}

/// A record of one's own with `n` attached documents (written straight to the bucket).
pub async fn patient_with_documents(mrn: &str, nhs: &str, n: usize) -> Vec<Uuid> {
    assert_eq!(put_patient(mrn, nhs, false, false).await.0, 200);
    let (manifest, ids) = lab_documents(n);
    let key = keys::manifest(&Mrn::from_stored(mrn).unwrap());
    store()
        .await
        // Registering wrote the manifest (its demographics digest): these documents replace it.
        .put_json(&key, &manifest, Write::Overwrite)
        .await
        .unwrap();
    ids
}

/// A manifest of `n` attached lab documents (no objects behind them) and their ids.
pub fn lab_documents(n: usize) -> (Manifest, Vec<Uuid>) {
    let mut manifest = Manifest::new();
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    for id in &ids {
        manifest.add(DocumentEntry {
            id: *id,
            category: Category::Lab,
            file_name: "result.pdf".into(),
            content_type: "application/pdf".into(),
            size: 4,
            sha256: "00".repeat(32),
            created: time::OffsetDateTime::now_utc(),
            uploaded_by: "nurse.hughes".into(),
            variants: Vec::new(),
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: Default::default(),
            status_change: None,
            processing: None,
        });
    }
    (manifest, ids)
}

fn count(events: &[Value], action: &str, actor: &str) -> usize {
    events
        .iter()
        .filter(|e| e["action"] == action && e["actor"] == actor)
        .count()
}

#[tokio::test]
async fn a_records_admin_needs_a_reason_for_history_detach_and_delete_and_each_refusal_is_audited()
{
    let api = Local::new().await;
    let admin = token("admin.byrne").await;
    let ids = api
        .patient_with_documents("42000001", "9451600000", 2)
        .await;
    assert_eq!(
        api.put_patient("42000001", "9451600000", true, false)
            .await
            .0,
        200
    );
    let doc = |id: &Uuid, tail: &str| format!("/v1/patients/42000001/documents/{id}{tail}");
    let misfiled = json!({"reason": "misfiled"});
    let detach = ("POST", doc(&ids[0], "/detach"), None);
    let delete = ("DELETE", doc(&ids[1], ""), Some(&misfiled));
    let refused = [
        ("GET", "/v1/patients/42000001/audit".to_string(), None),
        detach.clone(),
        delete.clone(),
    ];
    for (method, path, body) in refused {
        let (status, body) = api.request(method, &admin, &path, &[], body).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("reason_required")),
            "{body}"
        );
    }
    let manifest = api.manifest("42000001").await;
    assert!(
        manifest
            .documents
            .iter()
            .all(|d| d.status == DocumentStatus::Attached),
        "nothing changed"
    );
    let events = api.history("42000001").await;
    assert_eq!(
        count(&events, "asked_restricted", "admin.byrne"),
        3,
        "{events:?}"
    );
    // With a reason: allowed, and each event carries it.
    for (method, path, body) in [detach, delete] {
        let answer = api
            .request(method, &admin, &path, &REASON_HEADERS, body)
            .await;
        assert_eq!(answer.0, 204, "{}", answer.1);
    }
    let events = api.history("42000001").await;
    for action in ["detach", "delete", "read_history"] {
        assert!(
            events.iter().any(|e| e["action"] == action
                && e["actor"] == "admin.byrne"
                && e["reason"] == REASON_SHOWN),
            "no {action} event with the reason: {events:?}"
        );
    }
}

#[tokio::test]
async fn a_put_that_flips_the_restriction_is_its_own_event_with_before_and_after() {
    let api = Local::new().await;
    assert_eq!(
        api.put_patient("42000002", "9451600019", false, false)
            .await
            .0,
        200
    );
    let (status, body) = api.put_patient("42000002", "9451600019", true, false).await;
    assert_eq!(status, 200, "{body}");
    let events = api.history("42000002").await;
    let restrict: Vec<_> = events
        .iter()
        .filter(|e| e["action"] == "restrict")
        .collect();
    assert_eq!(restrict.len(), 1, "{events:?}");
    assert_eq!(
        (
            restrict[0]["before"].as_str(),
            restrict[0]["after"].as_str()
        ),
        (Some("not restricted"), Some("restricted"))
    );
    // Lifting it is an action on a restricted record: a reason first, and the refusal is kept.
    let (status, body) = api
        .put_patient("42000002", "9451600019", false, false)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reason_required"))
    );
    let (status, body) = api.put_patient("42000002", "9451600019", false, true).await;
    assert_eq!(status, 200, "{body}");
    let events = api.history("42000002").await;
    let lifted = events
        .iter()
        .find(|e| e["action"] == "unrestrict")
        .unwrap_or_else(|| panic!("no unrestrict event: {events:?}"));
    assert_eq!(
        (
            lifted["before"].as_str(),
            lifted["after"].as_str(),
            lifted["reason"].as_str()
        ),
        (
            Some("restricted"),
            Some("not restricted"),
            Some(REASON_SHOWN)
        )
    );
    assert_eq!(count(&events, "asked_restricted", "admin.byrne"), 1);
    assert_eq!(
        count(&events, "unrestrict", "admin.byrne"),
        1,
        "refused: not done"
    );
}

#[tokio::test]
async fn an_unchanged_put_is_audited() {
    let api = Local::new().await;
    assert_eq!(
        api.put_patient("42000003", "9451600027", false, false)
            .await
            .0,
        200
    );
    let (status, body) = api
        .put_patient("42000003", "9451600027", false, false)
        .await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (200, Some("unchanged")),
        "{body}"
    );
    let events = api.history("42000003").await;
    assert_eq!(
        count(&events, "patient_unchanged", "admin.byrne"),
        1,
        "{events:?}"
    );
}

#[tokio::test]
async fn finding_a_restricted_patient_without_a_reason_is_refused_and_audited() {
    let api = Local::new().await;
    assert_eq!(
        api.put_patient("42000004", "9451600035", true, false)
            .await
            .0,
        200
    );
    let nurse = token("nurse.hughes").await;
    let (status, body) = api.get(&nurse, "/v1/patients?q=945%20160%200035").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reason_required"))
    );
    let events = api.history("42000004").await;
    assert_eq!(
        count(&events, "asked_restricted", "nurse.hughes"),
        1,
        "{events:?}"
    );
}

#[tokio::test]
async fn a_registration_conflict_with_a_restricted_record_is_audited_before_it_is_answered() {
    let api = Local::new().await;
    assert_eq!(
        api.put_patient("42000005", "9451600043", true, false)
            .await
            .0,
        200
    );
    // Another MRN with the restricted patient's NHS number.
    let (status, body) = api
        .put_patient("42000006", "9451600043", false, false)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reason_required")),
        "{body}"
    );
    assert!(
        !body.to_string().contains("42000005"),
        "the MRN is not named: {body}"
    );
    let events = api.history("42000005").await;
    assert_eq!(
        count(&events, "asked_restricted", "admin.byrne"),
        1,
        "{events:?}"
    );
    let (status, body) = api.put_patient("42000006", "9451600043", false, true).await;
    assert_eq!(status, 409, "{body}");
    let events = api.history("42000005").await;
    assert!(
        events.iter().any(|e| e["action"] == "break_glass"
            && e["actor"] == "admin.byrne"
            && e["reason"] == REASON_SHOWN),
        "the answer named the record: audited as opening it {events:?}"
    );
}
