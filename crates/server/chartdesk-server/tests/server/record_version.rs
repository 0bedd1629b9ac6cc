//! An open record polls its version: 304 while nothing changed, a new version once a document
//! lands, never audited while unchanged, and the list's access rules (role, break-glass).
//! In-process, over the demo records.

use chartdesk_sandbox::demo_pdf;

use crate::harness::token;
use crate::in_process::{Local, REASON_HEADERS};
use crate::uploads::declaration;

const MRN: &str = "10000011";

async fn poll(api: &Local, t: &str, mrn: &str, seen: Option<&str>) -> (u16, Option<String>) {
    let condition: Vec<(&str, &str)> = seen.map(|v| ("if-none-match", v)).into_iter().collect();
    let path = format!("/v1/patients/{mrn}/version");
    let (status, body) = api.request("GET", t, &path, &condition, None).await;
    (status, body["version"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn the_version_is_304_while_unchanged_and_new_after_an_upload() {
    let api = Local::new().await;
    api.seed_patient(MRN).await;
    let t = token("nurse.hughes").await;
    let (status, first) = poll(&api, &t, MRN, None).await;
    assert_eq!(status, 200);
    let first = first.unwrap();
    assert_eq!(poll(&api, &t, MRN, Some(&first)).await, (304, None));

    let pdf = demo_pdf("Discharge", "version poll test");
    let decl = declaration(MRN, "discharge", "letter.pdf", "application/pdf", &pdf);
    api.start_and_put(&t, &decl, &pdf).await;
    api.complete(&t, std::slice::from_ref(&decl)).await;
    let (status, after) = poll(&api, &t, MRN, Some(&first)).await;
    assert_eq!(status, 200, "a colleague's upload is a new version");
    let after = after.unwrap();
    assert_ne!(after, first);
    assert_eq!(poll(&api, &t, MRN, Some(&after)).await, (304, None));

    // The same value a find answers, so either can be sent back.
    let (_, found) = api.get(&t, &format!("/v1/patients?q=MRN%20{MRN}")).await;
    assert_eq!(found["version"].as_str(), Some(after.as_str()));
}

#[tokio::test]
async fn polling_an_unchanged_record_writes_no_audit_event() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (_, version) = poll(&api, &t, "10000008", None).await;
    let version = version.unwrap();
    let before = api.audit_events().await.len();
    for _ in 0..3 {
        assert_eq!(poll(&api, &t, "10000008", Some(&version)).await.0, 304);
    }
    assert_eq!(
        api.audit_events().await.len(),
        before,
        "nothing shown, nothing audited"
    );
}

#[tokio::test]
async fn the_version_is_refused_to_a_user_who_may_not_view_records() {
    let api = Local::demo().await;
    let t = token("visitor.lee").await;
    let path = "/v1/patients/10000008/version";
    let (status, body) = api.request("GET", &t, path, &[], None).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
}

#[tokio::test]
async fn a_restricted_records_version_needs_the_reason_already_given() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let path = "/v1/patients/10000007/version";
    let (status, body) = api.request("GET", &t, path, &[], None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reason_required"))
    );
    let (status, body) = api.request("GET", &t, path, &REASON_HEADERS, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["version"].is_string());
}

/// Against moto and the server as a process: S3's own conditional GET (304, no body) is what
/// answers an unchanged poll.
#[tokio::test]
async fn over_s3_an_unchanged_version_is_304() {
    let api = crate::harness::api();
    let t = token("dr.okafor").await;
    let (status, body) = api.get(&t, "/v1/patients/10000008/version").await;
    assert_eq!(status, 200, "{body}");
    let version = body["version"].as_str().unwrap().to_string();
    let again = api
        .http
        .get(api.url("/v1/patients/10000008/version"))
        .bearer_auth(&t)
        .header("if-none-match", &version)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
}

#[tokio::test]
async fn an_unchanged_poll_costs_one_store_read() {
    let api = Local::new().await;
    api.patient_with_documents("20000403", "7000000023", 3)
        .await;
    let t = token("dr.okafor").await;
    let (_, version) = poll(&api, &t, "20000403", None).await;
    let version = version.unwrap();
    let before = api.store.reads();
    assert_eq!(
        poll(&api, &t, "20000403", Some(&version)).await,
        (304, None)
    );
    assert_eq!(
        api.store.reads() - before,
        1,
        "one conditional manifest read"
    );
}
