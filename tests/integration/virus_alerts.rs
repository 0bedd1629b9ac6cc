//! A records admin's desktop is told of each document the virus scanner blocked, trust-wide,
//! through the records server; other roles are refused the list.

use std::time::{Duration, Instant};

use chartdesk::domain::ScanStatus;
use chartdesk::sandbox::demo_jpeg;
use chartdesk::sandbox::launch::scanner::EICAR;
use chartdesk::services::Upload;
use chartdesk_api::ApiErrorCode;

use crate::local_cloud::cloud;
use crate::upload::patient;

#[tokio::test]
async fn a_records_admins_desktop_lists_an_infected_upload_and_a_clinicians_is_refused() {
    let nurse = cloud().signed_in("nurse.hughes").await;
    patient("30000096").await;
    let mut infected = demo_jpeg(6);
    infected.extend_from_slice(EICAR.as_bytes());
    let bad = nurse
        .upload_document(Upload::new("30000096", "postop", "wound.jpg", infected))
        .await
        .unwrap();

    let admin = cloud().signed_in("admin.byrne").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let alert = loop {
        let list = admin.admin().alerts().await.unwrap();
        if let Some(a) = list
            .alerts
            .into_iter()
            .find(|a| a.doc_id.map(|d| d.to_string()) == Some(bad.id.clone()))
        {
            break a;
        }
        assert!(Instant::now() < deadline, "no alert for {}", bad.id);
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        (alert.mrn.as_str(), alert.file_name.as_deref()),
        ("30000096", Some("wound.jpg"))
    );
    let rows = nurse.list_documents("30000096", "postop").await.unwrap();
    let row = rows.iter().find(|r| r.id == bad.id).unwrap();
    assert_eq!(row.scan_status, ScanStatus::Infected);

    let clinician = cloud().signed_in("dr.okafor").await;
    let refused = clinician.admin().alerts().await.unwrap_err();
    assert_eq!(
        refused.code(),
        ApiErrorCode::Forbidden,
        "records admins only"
    );
}
