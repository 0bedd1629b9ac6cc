//! A file the virus scanner has not checked yet: production (the default) neither opens nor
//! exports it and says why; a server set to allow it (the sandbox, with no scanner) does.
//! In-process, the scanner's verdict set as an object tag in the in-memory store.

use chartdesk::domain::{find_entry, rows_for, RowPermissions};
use chartdesk::domain::{keys, Category, Manifest, Mrn, ScanStatus};

use crate::harness::token;
use crate::in_process::Local;

#[tokio::test]
async fn an_unscanned_file_is_not_handed_out_by_default_and_the_list_says_so() {
    // As production runs: files the scanner has not checked are not handed out.
    let blocking = Local::demo_with(&[("CHARTDESK_OPEN_PENDING_SCANS", "false")]).await;
    let mrn = Mrn::from_stored("10000013").unwrap();
    let manifest: Manifest = blocking.manifest("10000013").await;
    let may = RowPermissions {
        stamp: false,
        remove: false,
    };
    let row = rows_for(&manifest, Category::Lab, may).remove(0);
    let entry = find_entry(&manifest, row.id.parse().unwrap()).unwrap();
    let ext = keys::extension_for(&entry.content_type).unwrap();
    let key = keys::original(&mrn, entry.category, entry.id, ext);
    let tag = |value: &str| assert!(blocking.store.set_tag(&key, ScanStatus::TAG, value));
    tag("pending");

    let t = token("dr.okafor").await;
    let open = format!("/v1/patients/10000013/documents/{}", row.id);
    let (status, body) = blocking.get(&t, &open).await;
    assert_eq!((status, body["code"].as_str()), (423, Some("scan_pending")));
    assert!(body["message"].as_str().unwrap().contains("virus scanner"));
    let (_, list) = blocking
        .get(&t, "/v1/patients/10000013/documents?category=lab")
        .await;
    assert_eq!(list["rows"][0]["scan_status"], "pending");
    assert_eq!(list["rows"][0]["can_open"], false);

    // The sandbox's server (no scanner there) is set to allow it.
    let sandbox = Local::demo().await;
    assert!(sandbox.store.set_tag(&key, ScanStatus::TAG, "pending"));
    assert_eq!(sandbox.get(&t, &open).await.0, 200);

    tag("clean");
    assert_eq!(blocking.get(&t, &open).await.0, 200, "once scanned clean");
}
