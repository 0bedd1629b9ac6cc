//! The head's amendments: a change deep in a long record is a head write until the head holds
//! its fill, then the parts with the most changes are written again; nothing is ever lost.

use super::tests::{assert_refused_as_corrupt, head_of, mrn, part_keys, record, stamp_entry};
use super::*;
use crate::manifest_amendments::AMENDED_ROWS;
use crate::store::InMemoryRecordStore;
use crate::update_manifest;

#[tokio::test]
async fn changes_deep_in_a_long_record_cost_one_head_write_until_the_head_holds_its_fill() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(4 * PART_ROWS + 9))
        .await
        .unwrap();
    let parts = part_keys(&store, &mrn).await;
    let oldest = keys::manifest_part(&mrn, &head_of(&store, &mrn).await.parts[0].sha256);
    // One change after another in the oldest part: each a head write alone, read back amended.
    for n in 0..AMENDED_ROWS {
        let before = store.requests_on(&oldest);
        update_manifest(&store, &mrn, |m| {
            stamp_entry(m, n);
            Ok::<_, std::convert::Infallible>(())
        })
        .await
        .unwrap();
        assert_eq!(part_keys(&store, &mrn).await, parts, "change {n}");
        assert_eq!(
            store.requests_on(&parts[0]),
            before,
            "the part is not touched"
        );
    }
    let head = head_of(&store, &mrn).await;
    assert_eq!((head.amended.len(), head.layout), (AMENDED_ROWS, 1));
    let read = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    let stamped = read.documents.iter().filter(|d| d.stamp.is_some()).count();
    assert_eq!(stamped, AMENDED_ROWS);
    assert!(read.documents[..AMENDED_ROWS]
        .iter()
        .all(|d| d.stamp.is_some()));

    // One more than the head carries: that part is rewritten with its changes folded in, and
    // the head carries none of its entries any longer.
    update_manifest(&store, &mrn, |m| {
        stamp_entry(m, AMENDED_ROWS);
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    let now = part_keys(&store, &mrn).await;
    assert!(!now.contains(&oldest), "the oldest part was rewritten");
    assert_eq!(now.len(), parts.len());
    let head = head_of(&store, &mrn).await;
    assert_eq!((head.amended.len(), head.layout), (0, 0));
    let reread = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    let stamped = reread
        .documents
        .iter()
        .filter(|d| d.stamp.is_some())
        .count();
    assert_eq!(stamped, AMENDED_ROWS + 1);
    assert_eq!(reread.documents.len(), read.documents.len());
}

#[tokio::test]
async fn an_amendment_naming_no_entry_of_the_record_is_refused_as_corrupt() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(PART_ROWS + 1))
        .await
        .unwrap();
    let mut head = head_of(&store, &mrn).await;
    head.amended = record(1).documents;
    assert_refused_as_corrupt(&store, &mrn, &head).await;
}

#[tokio::test]
async fn a_head_of_a_newer_layout_is_refused_rather_than_read_without_what_it_adds() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(3)).await.unwrap();
    let mut head = head_of(&store, &mrn).await;
    head.layout = LAYOUT + 1;
    assert_refused_as_corrupt(&store, &mrn, &head).await;
}

#[tokio::test]
async fn past_the_heads_fill_the_part_with_the_most_changes_is_rewritten_and_the_rest_stay() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(4 * PART_ROWS))
        .await
        .unwrap();
    let named = |head: &Head, n: usize| keys::manifest_part(&mrn, &head.parts[n].sha256);
    let first = head_of(&store, &mrn).await;
    let stamp_range = |range: std::ops::Range<usize>| {
        let store = &store;
        let mrn = &mrn;
        async move {
            update_manifest(store, mrn, |m| {
                range.clone().for_each(|i| stamp_entry(m, i));
                Ok::<_, std::convert::Infallible>(())
            })
            .await
            .unwrap();
        }
    };
    // 20 changes in the first part, then 13 in the third: 33, one more than the head carries.
    stamp_range(0..20).await;
    stamp_range(2 * PART_ROWS..2 * PART_ROWS + 13).await;
    let head = head_of(&store, &mrn).await;
    let keys = part_keys(&store, &mrn).await;
    assert!(
        !keys.contains(&named(&first, 0)),
        "the part with 20 rewritten"
    );
    for n in 1..4 {
        assert_eq!(named(&head, n), named(&first, n), "part {n} kept");
    }
    assert_eq!(head.amended.len(), 13);
    let read = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    let stamped: Vec<usize> = (0..read.documents.len())
        .filter(|&i| read.documents[i].stamp.is_some())
        .collect();
    let expected: Vec<usize> = (0..20).chain(2 * PART_ROWS..2 * PART_ROWS + 13).collect();
    assert_eq!(stamped, expected);
}
