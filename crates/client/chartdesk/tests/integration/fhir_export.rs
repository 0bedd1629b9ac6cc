//! `chartdesk fhir export`'s core: a records admin exports two patients' records through the
//! records server's `$export` (a Group, the worker, the status polls) into NDJSON files.

use std::sync::Mutex;

use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::Category;
use serde_json::Value;

use crate::local_cloud::{cloud, seed_patient};

#[tokio::test]
async fn a_records_admin_exports_two_patients_as_ndjson_files_with_progress_and_others_cannot() {
    seed_patient("33000007", &[Category::Lab]).await;
    seed_patient("33000008", &[Category::Lab, Category::Radiology]).await;
    let mrns = ["33000007".to_string(), "33000008".to_string()];
    let admin = cloud().signed_in("admin.byrne").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fhir");
    let said = Mutex::new(Vec::<String>::new());
    let summary = admin
        .admin()
        .fhir_export(&mrns, &out, &|line| said.lock().unwrap().push(line.into()))
        .await
        .unwrap();
    let mut counts = Vec::new();
    for file in &summary.files {
        let text = std::fs::read_to_string(&file.path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), file.count as usize, "{}", file.path);
        for resource in &lines {
            assert_eq!(resource["resourceType"], file.resource_type.as_str());
            let id = resource["id"].as_str().unwrap();
            assert!(
                id.starts_with("33000007") || id.starts_with("33000008"),
                "{id}"
            );
        }
        counts.push((file.resource_type.clone(), file.count));
    }
    counts.sort();
    assert_eq!(
        counts,
        [
            ("DocumentReference".to_string(), 3),
            ("Patient".to_string(), 2)
        ]
    );
    let lines = said.lock().unwrap().clone();
    assert!(lines.iter().any(|l| l.starts_with("Saved")), "{lines:?}");

    let clinician = cloud().signed_in("dr.okafor").await;
    let refused = clinician
        .admin()
        .fhir_export(&mrns, &out, &|_| {})
        .await
        .unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::Forbidden);
}
