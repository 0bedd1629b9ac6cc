//! A patient opens in few requests: a list brings its first screen's thumbnails inside the
//! answer, so they show with no request of their own (issue 13 item 5).

use crate::local_cloud::cloud;
use crate::network_switch::{signed_in_via, NetworkSwitch};

#[tokio::test]
async fn the_first_screens_thumbnails_show_with_no_request_of_their_own() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "first-screen", "dr.okafor").await;
    s.patients().find("MRN 10000004").await.unwrap();
    let preop = s.documents().list("10000004", "preop").await.unwrap();
    assert!(!preop.is_empty());
    // Neither the bucket nor the server answers now, and nothing was fetched before.
    switch.cut();
    for row in &preop {
        let thumb = s.documents().thumbnail("10000004", &row.id).await.unwrap();
        assert!(
            thumb.is_some_and(|t| t.starts_with(&[0xFF, 0xD8, 0xFF])),
            "came with the list"
        );
    }
}

/// The window's open (issue 25 item 2): one find answers the banner, the tiles and the first
/// screen with its thumbnails; the offline copy is read after it, not on the path waited on.
#[tokio::test]
async fn the_window_opens_a_patient_from_one_find_and_keeps_the_offline_copy_afterwards() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "open-one-request", "dr.okafor")
        .await
        .keeping_copies_after_the_screen();
    let shown = s.patients().find("MRN 10000004").await.unwrap();
    let first = shown
        .first_rows
        .clone()
        .expect("the first screen came with the find");
    let blue = shown.tiles.iter().find(|t| t.has_documents).unwrap();
    assert_eq!(first.category, blue.category);
    assert!(!first.rows.is_empty());
    // Nothing more is asked for the screen: its rows and thumbnails came with the one answer.
    switch.cut();
    for row in first.rows.iter().filter(|r| r.has_thumbnail) {
        let thumb = s.documents().thumbnail("10000004", &row.id).await.unwrap();
        assert!(thumb.is_some_and(|t| t.starts_with(&[0xFF, 0xD8, 0xFF])));
    }
    // The offline copy was not written on the find's path: a failed later read leaves it
    // missing, and the next open notes it again.
    assert_eq!(s.patients().update_offline_copies().await, 0);
    switch.restore();
    s.patients().find("MRN 10000004").await.unwrap();
    assert_eq!(
        s.patients().update_offline_copies().await,
        1,
        "the copy read afterwards"
    );
    assert_eq!(
        s.patients().update_offline_copies().await,
        0,
        "nothing left to read"
    );
    // The copy is whole: offline, the patient and every row of the first tile are there.
    switch.cut();
    let offline = s.patients().find("MRN 10000004").await.unwrap();
    assert!(offline.synced_at.is_some());
    let rows = s
        .documents()
        .list("10000004", first.category.id())
        .await
        .unwrap();
    assert_eq!(rows.len() as u32, blue.count);
}
