//! Records admins are told, trust-wide, of each document the virus scanner blocked
//! (`GET /v1/alerts`); other roles are refused the list.

use chartdesk::domain::ScanStatus;
use chartdesk::sandbox::demo_pdf;
use chartdesk::sandbox::launch::scanner::EICAR;

use crate::harness::{api, token};
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
