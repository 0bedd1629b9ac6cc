//! A pass over the outbox that finds the record busy with another complete of the same upload
//! (a run killed mid-complete, whose complete the server still finishes) sends the item again a
//! few seconds later, rather than leaving it for the user's next run.

use std::time::Duration;

use chartdesk::services::Upload;
use chartdesk_domain::{Category, Mrn};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::{doc_claim_key, Attempt, DocClaim};
use chartdesk_sandbox::demo_pdf;
use uuid::Uuid;

use crate::local_cloud::cloud;
use crate::outbox_streaming::ward_with_cache;
use crate::upload::patient;

const MRN: &str = "30000061";

/// The id's claim as a complete of another process leaves it while at work (`completing`).
fn claim(completing: bool) -> DocClaim {
    let attempt = Attempt {
        id: Uuid::now_v7(),
        since: time::OffsetDateTime::now_utc(),
    };
    DocClaim {
        completing,
        completing_by: completing.then_some(attempt),
        ..DocClaim::new(&Mrn::from_stored(MRN).unwrap(), Category::Lab)
    }
}

#[tokio::test]
async fn an_item_another_complete_holds_for_a_moment_lands_in_the_same_pass() {
    let cache = tempfile::tempdir().unwrap();
    let s = ward_with_cache(cache.path(), "outbox-busy").await;
    patient(MRN).await;
    let doc_id = s
        .outbox()
        .queue_upload(Upload::new(MRN, "lab", "busy.pdf", demo_pdf("Lab", "busy")))
        .await
        .unwrap();
    let id: Uuid = doc_id.parse().unwrap();
    let store = cloud().admin_store().await;
    store
        .put_json(&doc_claim_key(id), &claim(true), Write::Create)
        .await
        .unwrap();
    // The other complete finishes (here: lets go) once this pass has been refused as busy
    // (the item's row says so): from then on only a retry of the same pass can land it.
    let release = async {
        for _ in 0..200 {
            let items = s.outbox().items().await.unwrap();
            let refused = items
                .iter()
                .any(|i| i.doc_id == doc_id && i.last_error_code.as_deref() == Some("conflict"));
            if refused {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        store
            .put_json(&doc_claim_key(id), &claim(false), Write::Overwrite)
            .await
            .unwrap();
    };
    let drain = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent());
    let (report, ()) = tokio::join!(drain, release);
    let report = report.unwrap();

    assert_eq!((report.sent, report.left), (1, 0), "{:?}", report.items);
    assert!(s.outbox().items().await.unwrap().is_empty());
    let rows = s.documents().list(MRN, "lab").await.unwrap();
    assert_eq!(rows.iter().filter(|r| r.id == doc_id).count(), 1);
}
