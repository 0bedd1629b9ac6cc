//! Records admins are told, trust-wide, of each document the virus scanner blocked
//! (`GET /v1/alerts`); other roles are refused the list.

use chartdesk_domain::{AuditAction, Mrn, ScanStatus};
use chartdesk_records::audit;
use chartdesk_sandbox::demo_pdf;
use chartdesk_sandbox::launch::scanner::EICAR;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::harness::{api, token};
use crate::in_process::Local;
use crate::processing::{fresh_patient, processed, upload};

/// A PDF carrying the anti-virus test string after its end, where a scanner still reads it.
fn infected_pdf() -> Vec<u8> {
    let mut bytes = demo_pdf("Referral letter", "Please see");
    bytes.extend_from_slice(b"\n% ");
    bytes.extend_from_slice(EICAR.as_bytes());
    bytes.extend_from_slice(b"\n");
    bytes
}

#[tokio::test]
async fn a_records_admin_is_told_of_an_infected_upload_with_its_patient_and_file_name() {
    fresh_patient("30000095").await;
    let bad = upload(
        "30000095",
        "lab",
        "referral-infected.pdf",
        "application/pdf",
        &infected_pdf(),
    )
    .await;
    assert_eq!(
        processed("30000095", bad).await.scan_status,
        ScanStatus::Infected
    );

    let api = api();
    let (status, body) = api.get(&token("admin.byrne").await, "/v1/alerts").await;
    assert_eq!(status, 200, "{body}");
    let alerts = body["alerts"].as_array().unwrap();
    let row = alerts
        .iter()
        .find(|a| a["doc_id"] == bad.to_string())
        .unwrap_or_else(|| panic!("no alert for the infected upload: {body}"));
    assert_eq!(row["mrn"], "30000095");
    assert_eq!(row["category"], "lab");
    assert_eq!(row["category_label"], "Lab");
    assert_eq!(row["file_name"], "referral-infected.pdf");
    assert_eq!(row["what"], "Blocked a document: a virus was found");
    // Newest first.
    let times: Vec<&str> = alerts.iter().filter_map(|a| a["at"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[tokio::test]
async fn clinicians_and_ward_staff_are_refused_the_list_of_blocked_documents() {
    let api = api();
    for user in ["dr.okafor", "nurse.hughes"] {
        let (status, body) = api.get(&token(user).await, "/v1/alerts").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("forbidden")),
            "{user}: {body}"
        );
    }
}

/// A virus found in `doc_id` of `mrn` `minutes_ago`, recorded as the worker records it.
async fn virus_found(api: &Local, mrn: &str, doc_id: Uuid, minutes_ago: i64) {
    let at = OffsetDateTime::now_utc() - time::Duration::minutes(minutes_ago);
    let mrn = Mrn::from_stored(mrn).unwrap();
    let (_, event) = audit::event(at, "system", AuditAction::VirusFound, &mrn, Some(doc_id));
    audit::write(api.audit.as_ref(), at, &event).await.unwrap();
}

#[tokio::test]
async fn a_restricted_record_keeps_its_file_names_out_of_the_list_and_each_record_is_read_once() {
    let api = Local::demo().await;
    let open_doc = api.manifest("10000001").await.documents[0].clone();
    let restricted_doc = api.manifest("10000007").await.documents[0].id;
    let gone = Uuid::now_v7();
    virus_found(&api, "10000001", open_doc.id, 3).await;
    virus_found(&api, "10000007", restricted_doc, 2).await;
    virus_found(&api, "10000001", gone, 1).await;

    let before = api.store.reads();
    let (status, body) = api.get(&token("admin.byrne").await, "/v1/alerts").await;
    assert_eq!(status, 200, "{body}");
    // One record and one manifest for the open patient, the record alone for the restricted one.
    assert_eq!(api.store.reads() - before, 3);
    let alerts = body["alerts"].as_array().unwrap();
    let shown: Vec<_> = alerts
        .iter()
        .map(|a| {
            (
                a["mrn"].as_str().unwrap(),
                a["file_name"].as_str(),
                a["restricted"].as_bool(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            // Newest first: the entry no longer in the manifest still shows, with what the event knows.
            ("10000001", None, Some(false)),
            ("10000007", None, Some(true)),
            ("10000001", Some(open_doc.file_name.as_str()), Some(false)),
        ]
    );
    assert!(alerts[1]["category"].is_null());
    assert_eq!(alerts[2]["category"], open_doc.category.id());
}
