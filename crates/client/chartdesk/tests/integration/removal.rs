//! Detach keeps the files; delete removes the file and its variants; records admins only;
//! other patients untouched. Patients 2000000x are seeded here so no demo counts change.

use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::{keys, Category, Mrn};

use crate::local_cloud::{cloud, seed_patient};

#[tokio::test]
async fn detach_takes_a_document_off_the_record_but_keeps_its_file() {
    let admin = cloud().signed_in("admin.byrne").await;
    seed_patient("20000001", &[Category::Postop]).await;
    let rows = admin.documents().list("20000001", "postop").await.unwrap();
    assert!(rows[0].can_remove);
    admin
        .admin()
        .detach_document("20000001", &rows[0].id)
        .await
        .unwrap();
    let left = admin.documents().list("20000001", "postop").await.unwrap();
    assert!(left.is_empty(), "off the record");
    let mrn = Mrn::from_stored("20000001").unwrap();
    let original = keys::original(&mrn, Category::Postop, rows[0].id.parse().unwrap(), "pdf");
    assert!(
        crate::local_cloud::cloud()
            .admin_store()
            .await
            .exists(&original)
            .await
            .unwrap(),
        "file kept"
    );
}

#[tokio::test]
async fn delete_removes_the_file_and_only_that_patients_entry() {
    let admin = cloud().signed_in("admin.byrne").await;
    seed_patient("20000002", &[Category::Discharge, Category::Lab]).await;
    let other_before = crate::local_cloud::cloud()
        .admin_store()
        .await
        .list_keys("patients/10000010/")
        .await
        .unwrap();
    let rows = admin
        .documents()
        .list("20000002", "discharge")
        .await
        .unwrap();
    admin
        .admin()
        .delete_document("20000002", &rows[0].id, "Filed to the wrong patient")
        .await
        .unwrap();
    let keys_left = crate::local_cloud::cloud()
        .admin_store()
        .await
        .list_keys("patients/20000002/")
        .await
        .unwrap();
    assert!(
        !keys_left.iter().any(|k| k.contains(&rows[0].id)),
        "no object of it remains"
    );
    assert_eq!(
        keys_left.len(),
        3,
        "the lab file, the manifest and the patient stay"
    );
    let listed = admin
        .documents()
        .list("20000002", "discharge")
        .await
        .unwrap();
    assert!(listed.is_empty());
    let other_after = crate::local_cloud::cloud()
        .admin_store()
        .await
        .list_keys("patients/10000010/")
        .await
        .unwrap();
    assert_eq!(other_before, other_after, "other patients untouched");
    let again = admin
        .admin()
        .delete_document("20000002", &rows[0].id, "Filed to the wrong patient")
        .await;
    assert_eq!(
        UiError::from(again.unwrap_err()).code,
        ApiErrorCode::NotFound
    );
}

#[tokio::test]
async fn only_records_admins_may_detach_or_delete() {
    seed_patient("20000003", &[Category::Radiology]).await;
    for user in ["dr.okafor", "nurse.hughes"] {
        let services = cloud().signed_in(user).await;
        let rows = services
            .documents()
            .list("20000003", "radiology")
            .await
            .unwrap();
        assert!(!rows[0].can_remove, "{user} is not offered removal");
        for result in [
            services
                .admin()
                .detach_document("20000003", &rows[0].id)
                .await,
            services
                .admin()
                .delete_document("20000003", &rows[0].id, "Duplicate scan")
                .await,
        ] {
            assert_eq!(
                UiError::from(result.unwrap_err()).code,
                ApiErrorCode::Forbidden,
                "{user}"
            );
        }
    }
}

/// Patient 20000004: what a records admin takes off the record shows in the category's
/// history through the desktop core, the detached document still opens, the deleted one is a
/// tombstone with its reason; ward staff are not shown the history.
#[tokio::test]
async fn detached_and_deleted_documents_show_in_the_history_through_the_desktop() {
    let admin = cloud().signed_in("admin.byrne").await;
    seed_patient("20000004", &[Category::Lab, Category::Lab]).await;
    let rows = admin.documents().list("20000004", "lab").await.unwrap();
    admin
        .admin()
        .detach_document("20000004", &rows[0].id)
        .await
        .unwrap();
    admin
        .admin()
        .delete_document("20000004", &rows[1].id, "Scanned twice")
        .await
        .unwrap();

    let clinician = cloud().signed_in("dr.okafor").await;
    let history = clinician
        .documents()
        .history("20000004", "lab")
        .await
        .unwrap()
        .expect("a clinician sees the history");
    let labels: Vec<&str> = history.iter().map(|h| h.label.as_str()).collect();
    assert_eq!(history.len(), 2, "{labels:?}");
    let tomb = history.iter().find(|h| h.row.id == rows[1].id).unwrap();
    assert!(tomb.label.ends_with(": Scanned twice"), "{}", tomb.label);
    assert!(!tomb.row.can_open);
    let kept = history.iter().find(|h| h.row.id == rows[0].id).unwrap();
    assert!(kept.label.starts_with("Detached by admin.byrne on "));
    clinician
        .documents()
        .open("20000004", &rows[0].id)
        .await
        .expect("a detached document opens from the history");

    let nurse = cloud().signed_in("nurse.hughes").await;
    assert!(nurse
        .documents()
        .history("20000004", "lab")
        .await
        .unwrap()
        .is_none());
}
