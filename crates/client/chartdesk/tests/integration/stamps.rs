//! Stamps: clinicians verify lab and review radiology reports; never overwritten; other roles
//! and categories refused; concurrent stamps all land (compare-and-swap on the manifest).

use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;

use crate::local_cloud::cloud;

#[tokio::test]
async fn a_clinician_verifies_a_lab_report_once_and_the_tile_counts_it() {
    let c = cloud();
    let doctor = c.signed_in("dr.okafor").await;
    let rows = doctor.documents().list("10000008", "lab").await.unwrap();
    assert_eq!(rows[0].stamp_action.as_deref(), Some("Verify"));

    let stamped = doctor
        .documents()
        .stamp("10000008", &rows[0].id)
        .await
        .unwrap();
    assert_eq!(stamped.stamp.as_deref(), Some("verified by dr.okafor"));
    assert!(stamped.stamp_action.is_none(), "no second stamp offered");
    let tiles = doctor.patients().find("10000008").await.unwrap().tiles;
    assert_eq!(tiles[1].stamp_summary.as_deref(), Some("1 of 1 verified"));

    let again = UiError::from(
        doctor
            .documents()
            .stamp("10000008", &rows[0].id)
            .await
            .unwrap_err(),
    );
    assert_eq!(again.code, ApiErrorCode::Conflict);
    assert!(
        again.message.contains("already verified by dr.okafor"),
        "{}",
        again.message
    );
}

#[tokio::test]
async fn ward_staff_cannot_stamp_and_other_categories_cannot_be_stamped() {
    let c = cloud();
    let nurse = c.signed_in("nurse.hughes").await;
    let rows = nurse
        .documents()
        .list("10000008", "radiology")
        .await
        .unwrap();
    assert!(
        rows[0].stamp_action.is_none(),
        "the UI is not offered a stamp"
    );
    let refused = UiError::from(
        nurse
            .documents()
            .stamp("10000008", &rows[0].id)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        refused.code,
        ApiErrorCode::Forbidden,
        "the core refuses a forged call"
    );

    let doctor = c.signed_in("dr.okafor").await;
    let preop = doctor.documents().list("10000008", "preop").await.unwrap();
    assert!(preop[0].stamp_action.is_none());
    let err = UiError::from(
        doctor
            .documents()
            .stamp("10000008", &preop[0].id)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, ApiErrorCode::InvalidInput);
}

#[tokio::test]
async fn two_stamps_made_at_once_both_land() {
    let c = cloud();
    // Two sessions (a records admin no longer stamps unless also a clinician).
    let (a, b) = (
        c.signed_in("dr.okafor").await,
        c.signed_in("dr.okafor").await,
    );
    let lab = a.documents().list("10000004", "lab").await.unwrap()[0]
        .id
        .clone();
    let rad = a.documents().list("10000004", "radiology").await.unwrap()[0]
        .id
        .clone();
    let (ra, rb) = tokio::join!(
        a.documents().stamp("10000004", &lab),
        b.documents().stamp("10000004", &rad)
    );
    ra.unwrap();
    rb.unwrap();
    let tiles = a.patients().find("10000004").await.unwrap().tiles;
    assert_eq!(tiles[1].stamp_summary.as_deref(), Some("1 of 1 verified"));
    assert_eq!(tiles[2].stamp_summary.as_deref(), Some("1 of 1 reviewed"));
}
