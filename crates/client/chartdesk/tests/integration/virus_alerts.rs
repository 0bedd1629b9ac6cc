//! A records admin's desktop is told of each document the virus scanner blocked, trust-wide,
//! through the records server; other roles are refused the list.

use std::time::{Duration, Instant};

use chartdesk::services::Upload;
use chartdesk_api::ApiErrorCode;
use chartdesk_sandbox::demo_jpeg;
use chartdesk_sandbox::launch::scanner::EICAR;

use crate::local_cloud::cloud;
use crate::upload::patient;

/// Uploads, as a ward nurse, a picture carrying the anti-virus test string; its document id.
async fn infected_upload(mrn: &str, name: &str) -> String {
    patient(mrn).await;
    let bytes = [demo_jpeg(6), EICAR.as_bytes().to_vec()].concat();
    let nurse = cloud().signed_in("nurse.hughes").await;
    let row = nurse
        .documents()
        .upload(Upload::new(mrn, "postop", name, bytes));
    row.await.unwrap().id
}

#[tokio::test]
async fn a_records_admins_desktop_lists_an_infected_upload_and_a_clinicians_is_refused() {
    let bad = infected_upload("30000096", "wound.jpg").await;
    let admin = cloud().signed_in("admin.byrne").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let alert = loop {
        let list = admin.admin().alerts().await.unwrap();
        if let Some(a) = list
            .alerts
            .into_iter()
            .find(|a| a.doc_id.map(|d| d.to_string()).as_ref() == Some(&bad))
        {
            break a;
        }
        assert!(Instant::now() < deadline, "no alert for {bad}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        (alert.mrn.as_str(), alert.file_name.as_deref()),
        ("30000096", Some("wound.jpg"))
    );
    assert_eq!(alert.category_label.as_deref(), Some("Postop"));
    let clinician = cloud().signed_in("dr.okafor").await;
    let refused = clinician.admin().alerts().await.unwrap_err();
    assert_eq!(
        refused.code(),
        ApiErrorCode::Forbidden,
        "records admins only"
    );
}
