//! A patient opens in few requests: a list brings its first screen's thumbnails inside the
//! answer, so they show with no request of their own (issue 13 item 5).

use crate::local_cloud::cloud;
use crate::network_switch::{signed_in_via, NetworkSwitch};

#[tokio::test]
async fn the_first_screens_thumbnails_show_with_no_request_of_their_own() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "first-screen", "dr.okafor").await;
    s.find_patient("MRN 10000004").await.unwrap();
    let preop = s.list_documents("10000004", "preop").await.unwrap();
    assert!(!preop.is_empty());
    // Neither the bucket nor the server answers now, and nothing was fetched before.
    switch.cut();
    for row in &preop {
        let thumb = s.document_thumbnail("10000004", &row.id).await.unwrap();
        assert!(
            thumb.is_some_and(|t| t.starts_with(&[0xFF, 0xD8, 0xFF])),
            "came with the list"
        );
    }
}
