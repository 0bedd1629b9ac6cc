//! A file the virus scanner has not checked yet: production (the default) neither opens nor
//! exports it and says why; a server set to allow it (the sandbox, with no scanner) does.

use aws_sdk_s3::types::{Tag, Tagging};
use chartdesk::domain::{find_entry, rows_for, RowPermissions};
use chartdesk::domain::{keys, Category, Manifest, Mrn, ScanStatus};

use crate::harness::{api, s3, server_blocking_pending_scans, store, token, Api};

async fn tag(key: &str, value: &str) {
    let tagging = Tagging::builder()
        .tag_set(
            Tag::builder()
                .key(ScanStatus::TAG)
                .value(value)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    s3().await
        .put_object_tagging()
        .bucket(store().await.bucket())
        .key(key)
        .tagging(tagging)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unscanned_file_is_not_handed_out_by_default_and_the_list_says_so() {
    let mrn = Mrn::from_stored("10000013").unwrap();
    let manifest: Manifest = store()
        .await
        .get_json(&keys::manifest(&mrn))
        .await
        .unwrap()
        .unwrap()
        .value;
    let may = RowPermissions {
        stamp: false,
        remove: false,
    };
    let row = rows_for(&manifest, Category::Lab, may).remove(0);
    let entry = find_entry(&manifest, row.id.parse().unwrap()).unwrap();
    let ext = keys::extension_for(&entry.content_type).unwrap();
    let key = keys::original(&mrn, entry.category, entry.id, ext);
    tag(&key, "pending").await;

    let blocking = Api {
        http: reqwest::Client::new(),
        base: server_blocking_pending_scans().to_string(),
    };
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
    assert_eq!(api().get(&t, &open).await.0, 200);

    tag(&key, "clean").await;
    assert_eq!(blocking.get(&t, &open).await.0, 200, "once scanned clean");
}
