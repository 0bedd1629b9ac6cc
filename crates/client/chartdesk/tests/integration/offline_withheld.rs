//! A copy kept for offline use opens only while the record allows it: once the record, read
//! again online, says the file was flagged by the virus scanner, the copy and thumbnail kept
//! before are not shown offline (`chartdesk_domain::withheld`, the rule the server follows).

use chartdesk::services::DocumentView;
use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::{keys, Manifest, Mrn, ScanStatus};
use chartdesk_records::store::object_store::Write;
use chartdesk_sandbox::demo_jpeg;

use crate::cache_per_patient::{add_image, cut};
use crate::local_cloud::{cloud, seed_patient};
use crate::network_switch::{signed_in_via, NetworkSwitch};

/// Marks the document flagged in the stored record, as a late verdict would.
async fn mark_infected(mrn: &str, id: uuid::Uuid) {
    let store = cloud().admin_store().await;
    let key = keys::manifest(&Mrn::from_stored(mrn).unwrap());
    let read = store.get_json::<Manifest>(&key).await.unwrap().unwrap();
    let mut manifest = read.value;
    for entry in manifest.documents.iter_mut().filter(|d| d.id == id) {
        entry.scan_status = ScanStatus::Infected;
    }
    store
        .put_json(&key, &manifest, Write::IfMatch(read.etag))
        .await
        .unwrap();
}

/// Patient 30002601 (this test's own).
#[tokio::test]
async fn a_copy_kept_before_the_record_said_infected_does_not_open_offline() {
    let mrn = "30002601";
    seed_patient(mrn, &[]).await;
    let id = uuid::Uuid::now_v7();
    add_image(mrn, id, &demo_jpeg(226)).await;
    let doc = id.to_string();
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-withheld", "dr.okafor").await;
    s.patients().find(&format!("MRN {mrn}")).await.unwrap();
    s.documents().list(mrn, "preop").await.unwrap();
    s.documents()
        .open_as(mrn, &doc, DocumentView::Original)
        .await
        .unwrap();
    let thumb = s.documents().thumbnail(mrn, &doc).await.unwrap();
    assert!(thumb.is_some(), "the thumbnail kept too");

    mark_infected(mrn, id).await;
    // The window shows the kept record first, then reads it again (as on any open). No list
    // online: the thumbnail asked for offline is the one the first list handed out.
    s.patients()
        .revalidate(mrn)
        .await
        .unwrap()
        .expect("changed");

    cut(&switch, &s).await;
    let refused = s
        .documents()
        .open_as(mrn, &doc, DocumentView::Original)
        .await
        .unwrap_err();
    let refused = UiError::from(refused);
    assert_eq!(refused.code, ApiErrorCode::Infected, "{}", refused.message);
    assert!(refused.message.contains("virus scanner"));
    assert!(
        s.documents().thumbnail(mrn, &doc).await.unwrap().is_none(),
        "no thumbnail of it offline either"
    );
    let rows = s.documents().list(mrn, "preop").await.unwrap();
    assert!(
        rows.iter().any(|r| r.id == doc && !r.can_open),
        "listed offline as not openable"
    );
}
