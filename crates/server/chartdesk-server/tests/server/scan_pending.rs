//! A file the virus scanner has not checked yet is neither opened nor exported, in every
//! configuration, and the list says why; one the worker found corrupted or could not process
//! is never handed out either. In-process: the worker's outcome written into the manifest as
//! the worker writes it.

use chartdesk_domain::{rows_for, RowPermissions};
use chartdesk_domain::{Category, Manifest, Mrn, Processing, ProcessingState, ScanStatus};
use chartdesk_records::update_manifest;
use uuid::Uuid;

use crate::harness::token;
use crate::in_process::Local;

const MRN: &str = "10000013";

/// The first lab document of the demo patient, with its verdict and outcome set.
async fn set_outcome(local: &Local, scan: ScanStatus, state: Option<ProcessingState>) -> Uuid {
    let manifest: Manifest = local.manifest(MRN).await;
    let may = RowPermissions::default();
    let id: Uuid = rows_for(&manifest, Category::Lab, may)[0]
        .id
        .parse()
        .unwrap();
    let mrn = Mrn::from_stored(MRN).unwrap();
    update_manifest(&*local.store, &mrn, |m: &mut Manifest| {
        let entry = m.documents.iter_mut().find(|d| d.id == id).unwrap();
        entry.scan_status = scan;
        entry.processing = state.map(|state| Processing {
            state,
            ..Processing::queued()
        });
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn an_unscanned_file_is_not_handed_out_and_the_list_says_so() {
    let blocking = Local::demo().await;
    let id = set_outcome(
        &blocking,
        ScanStatus::Pending,
        Some(ProcessingState::Queued),
    )
    .await;
    let t = token("dr.okafor").await;
    let open = format!("/v1/patients/{MRN}/documents/{id}");
    let (status, body) = blocking.get(&t, &open).await;
    assert_eq!((status, body["code"].as_str()), (423, Some("scan_pending")));
    assert!(body["message"].as_str().unwrap().contains("virus scanner"));
    let (_, list) = blocking
        .get(&t, &format!("/v1/patients/{MRN}/documents?category=lab"))
        .await;
    let row = &list["rows"][0];
    assert_eq!(row["scan_status"], "pending");
    assert_eq!(row["can_open"], false);
    assert_eq!(row["status_note"], "Checking for viruses…");

    set_outcome(&blocking, ScanStatus::Clean, Some(ProcessingState::Done)).await;
    assert_eq!(blocking.get(&t, &open).await.0, 200, "once scanned clean");
}

#[tokio::test]
async fn a_corrupted_or_failed_document_is_never_handed_out_even_when_found_clean() {
    let local = Local::demo().await;
    let t = token("dr.okafor").await;
    for state in [ProcessingState::Corrupted, ProcessingState::Failed] {
        let id = set_outcome(&local, ScanStatus::Clean, Some(state)).await;
        let (status, body) = local
            .get(&t, &format!("/v1/patients/{MRN}/documents/{id}"))
            .await;
        assert_eq!(status, 422, "{state:?}: {body}");
        let (_, list) = local
            .get(&t, &format!("/v1/patients/{MRN}/documents?category=lab"))
            .await;
        assert_eq!(list["rows"][0]["can_open"], false, "{state:?}");
        assert!(
            list["rows"][0]["status_note"].as_str().is_some(),
            "{state:?}"
        );
        // Back to waiting, so the next state starts from a queued entry.
        set_outcome(&local, ScanStatus::Pending, Some(ProcessingState::Queued)).await;
    }
}

#[tokio::test]
async fn listing_a_category_makes_no_store_request_per_row() {
    // Verdicts, renditions and notes come with the manifest: 40 rows cost what 5 do.
    let local = Local::demo().await;
    let t = token("dr.okafor").await;
    let mut costs = Vec::new();
    for (mrn, nhs, rows) in [
        ("20000401", "7000000007", 5),
        ("20000402", "7000000015", 40),
    ] {
        local.patient_with_documents(mrn, nhs, rows).await;
        let before = local.store.reads();
        let (status, list) = local
            .get(&t, &format!("/v1/patients/{mrn}/documents?category=lab"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(list["rows"].as_array().unwrap().len(), rows);
        costs.push(local.store.reads() - before);
    }
    assert_eq!(
        costs[0], costs[1],
        "store reads for 5 rows, then 40: {costs:?}"
    );
    assert!(
        costs[0] <= 3,
        "a list reads the record, not its documents: {costs:?}"
    );
}
