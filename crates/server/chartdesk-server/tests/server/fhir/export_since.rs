//! `$export` with `_since`: only the documents changed after it (added, stamped, detached, or
//! their processing outcome recorded), every Patient; and kick-off parameters this server does
//! not read are refused unless the caller asks for them to be ignored (`Prefer: handling=lenient`).

use chartdesk_domain::{keys, Manifest, Mrn, Processing, ProcessingState, Stamp};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::RecordStore;
use chartdesk_worker::Handled;
use time::{Duration, OffsetDateTime};

use super::export::{call, ids, json_of, lines, run_worker, status_path, ASYNC};
use super::spine_code;
use crate::harness::token;
use crate::in_process::Local;

#[tokio::test]
async fn an_export_since_a_time_holds_only_the_documents_changed_after_it() {
    let api = Local::new().await;
    let mrn = "33000011";
    let docs = api.patient_with_documents(mrn, "9433000102", 4).await;
    let week_ago = OffsetDateTime::now_utc() - Duration::days(7);
    let since = OffsetDateTime::now_utc() - Duration::days(1);
    // Four documents added a week ago: one left alone, one stamped today, one whose
    // processing outcome was recorded today, one processed a week ago.
    let record = Mrn::from_stored(mrn).unwrap();
    let store: &dyn RecordStore = api.store.as_ref();
    let mut manifest: Manifest = store
        .get_json(&keys::manifest(&record))
        .await
        .unwrap()
        .unwrap()
        .value;
    for (i, entry) in manifest.documents.iter_mut().enumerate() {
        entry.created = week_ago;
        let processed = |at| Processing {
            state: ProcessingState::Done,
            at: Some(at),
            ..Processing::queued()
        };
        match i {
            1 => {
                entry.stamp = Some(Stamp {
                    label: "Verified".into(),
                    by: "dr.okafor".into(),
                    at: OffsetDateTime::now_utc(),
                })
            }
            2 => entry.processing = Some(processed(OffsetDateTime::now_utc())),
            3 => entry.processing = Some(processed(week_ago)),
            _ => {}
        }
    }
    store
        .put_json(&keys::manifest(&record), &manifest, Write::Overwrite)
        .await
        .unwrap();

    let admin = token("admin.byrne").await;
    let at = since
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let kick_off = format!(
        "/fhir/R4/Patient/{mrn}/$export?_since={}",
        at.replace('+', "%2B")
    );
    let (status, headers, body) = call(&api, "GET", &admin, &kick_off, &[ASYNC], None).await;
    assert_eq!(status, 202, "{}", json_of(&body));
    let (job, status_path) = status_path(&headers);
    assert_eq!(run_worker(&api, job).await, Handled::Exported);
    let (status, _, body) = call(&api, "GET", &admin, &status_path, &[], None).await;
    let manifest = json_of(&body);
    assert_eq!(status, 200, "{manifest}");
    let mut found = std::collections::BTreeMap::new();
    for file in manifest["output"].as_array().unwrap() {
        let bytes = api.store.fetch(file["url"].as_str().unwrap()).unwrap();
        found.insert(file["type"].as_str().unwrap().to_string(), lines(&bytes));
    }
    assert_eq!(
        ids(&found["DocumentReference"]),
        [1, 2].map(|i| format!("{mrn}-{}", docs[i])).into(),
        "the stamped one and the one processed today"
    );
    assert_eq!(ids(&found["Patient"]), [mrn.to_string()].into());
}

#[tokio::test]
async fn a_kick_off_parameter_not_read_here_is_refused_unless_asked_to_be_ignored() {
    let api = Local::new().await;
    let mrn = "33000012";
    api.patient_with_documents(mrn, "9433000110", 1).await;
    let admin = token("admin.byrne").await;
    let kick_off =
        format!("/fhir/R4/Patient/{mrn}/$export?_typeFilter=DocumentReference%3Fstatus%3Dcurrent");
    let (status, _, body) = call(&api, "GET", &admin, &kick_off, &[ASYNC], None).await;
    let outcome = json_of(&body);
    assert_eq!(status, 400, "{outcome}");
    assert_eq!(spine_code(&outcome), Some("INVALID_PARAMETER"));
    assert!(outcome.to_string().contains("_typeFilter"), "{outcome}");

    let lenient = ("prefer", "respond-async, handling=lenient");
    let (status, _, _) = call(&api, "GET", &admin, &kick_off, &[lenient], None).await;
    assert_eq!(status, 202);

    let bad = format!("/fhir/R4/Patient/{mrn}/$export?_since=yesterday");
    let (status, _, body) = call(&api, "GET", &admin, &bad, &[ASYNC], None).await;
    assert_eq!(status, 400, "{}", json_of(&body));
}

#[tokio::test]
async fn a_posted_kick_off_reads_its_parameters_resource() {
    let api = Local::new().await;
    let mrn = "33000013";
    api.patient_with_documents(mrn, "9433000129", 2).await;
    let admin = token("admin.byrne").await;
    let parameters = serde_json::json!({"resourceType": "Parameters", "parameter": [
        {"name": "_type", "valueString": "DocumentReference"},
    ]});
    let kick_off = format!("/fhir/R4/Patient/{mrn}/$export");
    let headers = [ASYNC, ("content-type", "application/fhir+json")];
    let (status, answered, body) =
        call(&api, "POST", &admin, &kick_off, &headers, Some(parameters)).await;
    assert_eq!(status, 202, "{}", json_of(&body));
    let (job, status_path) = status_path(&answered);
    assert_eq!(run_worker(&api, job).await, Handled::Exported);
    let (_, _, body) = call(&api, "GET", &admin, &status_path, &[], None).await;
    let manifest = json_of(&body);
    let types: Vec<&str> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["DocumentReference"], "{manifest}");

    let not_parameters = serde_json::json!({"resourceType": "Patient"});
    let (status, _, _) = call(
        &api,
        "POST",
        &admin,
        &kick_off,
        &headers,
        Some(not_parameters),
    )
    .await;
    assert_eq!(status, 400);
}
