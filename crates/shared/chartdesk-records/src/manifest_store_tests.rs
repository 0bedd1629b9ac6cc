use super::*;
use crate::store::InMemoryRecordStore;
use crate::update_manifest;
use chartdesk_domain::{Category, DocumentEntry, DocumentStatus, Sent, SharedEntry, Stamp};
use time::OffsetDateTime;

pub(super) fn mrn() -> Mrn {
    Mrn::from_stored("10000001").unwrap()
}

pub(super) fn record(rows: usize) -> Manifest {
    let mut manifest = Manifest::new();
    manifest.demographics = Some("digest".into());
    manifest.documents = (0..rows)
        .map(|i| {
            let sent = Sent {
                category: Category::ALL[i % 7],
                file_name: "scan.pdf",
                content_type: "application/pdf",
                bytes: &[1, 2, 3],
                by: "nurse.hughes",
                at: OffsetDateTime::UNIX_EPOCH,
            };
            DocumentEntry::queued(uuid::Uuid::now_v7(), sent).into()
        })
        .collect();
    manifest
}

pub(super) async fn part_keys(store: &InMemoryRecordStore, mrn: &Mrn) -> Vec<String> {
    let store: &dyn RecordStore = store;
    store
        .list_keys(&format!("patients/{mrn}/manifest-parts/"))
        .await
        .unwrap()
}

#[tokio::test]
async fn every_field_survives_the_split_and_the_order_is_kept() {
    let store = InMemoryRecordStore::new();
    let mut manifest = record(2 * PART_ROWS + 44);
    manifest.documents[3].stamp = Some(Stamp {
        label: "verified".into(),
        by: "dr.okafor".into(),
        at: OffsetDateTime::UNIX_EPOCH,
    });
    manifest.documents[299].retire(
        DocumentStatus::Detached,
        "admin",
        OffsetDateTime::UNIX_EPOCH,
        Some("wrong patient".into()),
    );
    create_manifest(&store, &mrn(), &manifest).await.unwrap();

    let read = read_manifest(&store, &mrn()).await.unwrap().unwrap();
    assert_eq!(read.value, manifest);
    assert_eq!(part_keys(&store, &mrn()).await.len(), 2);
    let head = (&store as &dyn RecordStore)
        .get_json::<Head>(&keys::manifest(&mrn()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.value.documents.len(), 44);
    assert_eq!(
        read.etag, head.etag,
        "the head's ETag stays the record's version"
    );
}

#[tokio::test]
async fn a_change_rewrites_the_head_and_only_the_part_whose_entry_changed() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(3 * PART_ROWS + 5))
        .await
        .unwrap();
    assert_eq!(part_keys(&store, &mrn).await.len(), 3);

    // An attach touches no part.
    update_manifest(&store, &mrn, |m| {
        m.documents.extend(record(1).documents);
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    assert_eq!(part_keys(&store, &mrn).await.len(), 3);

    // A stamp on an old entry writes the head alone: the part keeps its name.
    let before = part_keys(&store, &mrn).await;
    let stamped = update_manifest(&store, &mrn, |m| {
        let entry = &mut m.documents[PART_ROWS + 7];
        entry.stamp = Some(Stamp {
            label: "reviewed".into(),
            by: "dr.okafor".into(),
            at: OffsetDateTime::UNIX_EPOCH,
        });
        Ok::<_, std::convert::Infallible>(entry.id)
    })
    .await
    .unwrap();
    assert_eq!(part_keys(&store, &mrn).await, before);
    let read = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    assert_eq!(read.documents.len(), 3 * PART_ROWS + 6);
    let entry = &read.documents[PART_ROWS + 7];
    assert_eq!(entry.id, stamped);
    assert!(entry.stamp.is_some());
}

#[tokio::test]
async fn a_manifest_stored_whole_reads_as_it_was_and_is_split_by_its_next_change() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    let whole = record(PART_ROWS + 10);
    (&store as &dyn RecordStore)
        .put_json(&keys::manifest(&mrn), &whole, Write::Create)
        .await
        .unwrap();
    assert_eq!(
        read_manifest(&store, &mrn).await.unwrap().unwrap().value,
        whole
    );

    update_manifest(&store, &mrn, |m| {
        m.demographics = Some("changed".into());
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    assert_eq!(part_keys(&store, &mrn).await.len(), 1);
    let read = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    assert_eq!(read.documents, whole.documents);
    assert_eq!(read.demographics.as_deref(), Some("changed"));
}

#[tokio::test]
async fn a_part_that_is_missing_or_not_what_its_name_says_is_refused_as_corrupt() {
    let store = InMemoryRecordStore::new();
    let dyn_store: &dyn RecordStore = &store;
    let mrn = mrn();
    let rows = record(PART_ROWS).documents;
    let stored = |rows: &[SharedEntry]| {
        let write = uuid::Uuid::now_v7();
        serde_json::to_vec(&StoredPart { write, rows }).unwrap()
    };
    let honest = stored(&rows);
    // Written straight to the store, so no process has it in memory.
    let mut other = rows.clone();
    other[0].file_name = "someone-else.pdf".into();
    let forged = stored(&other);
    let name = sha256_hex(&honest);
    dyn_store
        .put_bytes(
            &keys::manifest_part(&mrn, &name),
            forged,
            "application/json",
            Write::Create,
        )
        .await
        .unwrap();
    for sha256 in [name, "0".repeat(64), "../../lookup/nhs/x".into()] {
        let head = Head {
            version: 1,
            documents: vec![],
            demographics: None,
            parts: vec![PartRef {
                sha256,
                rows: PART_ROWS,
            }],
            amended: vec![],
            layout: 0,
        };
        assert_refused_as_corrupt(&store, &mrn, &head).await;
    }
}

#[tokio::test]
async fn a_change_removes_the_part_it_replaced_and_the_record_still_reads_whole() {
    let store = InMemoryRecordStore::new();
    let dyn_store: &dyn RecordStore = &store;
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(PART_ROWS + 3))
        .await
        .unwrap();
    let old_head = dyn_store
        .get_bytes(&keys::manifest(&mrn))
        .await
        .unwrap()
        .unwrap()
        .0;
    // Every entry of the part changed: more than the head carries, so the part is rewritten.
    let stamp = |m: &mut Manifest| {
        for entry in &mut m.documents[..PART_ROWS] {
            entry.stamp = Some(Stamp {
                label: "verified".into(),
                by: "dr.okafor".into(),
                at: OffsetDateTime::UNIX_EPOCH,
            });
        }
        Ok::<_, std::convert::Infallible>(())
    };
    update_manifest(&store, &mrn, stamp).await.unwrap();
    // The old head's part is gone; a head read again names the new one.
    let old: Head = serde_json::from_slice(&old_head).unwrap();
    let gone = keys::manifest_part(&mrn, &old.parts[0].sha256);
    assert!(dyn_store.get_bytes(&gone).await.unwrap().is_none());
    let read = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    assert!(read.documents[..PART_ROWS]
        .iter()
        .all(|d| d.stamp.is_some()));
    assert_eq!(read.documents.len(), PART_ROWS + 3);
}

#[tokio::test]
async fn a_write_that_loses_the_race_leaves_no_part_behind() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(2 * PART_ROWS))
        .await
        .unwrap();
    let stale = read_stored(&store, &mrn).await.unwrap().unwrap();
    update_manifest(&store, &mrn, |m| {
        m.demographics = Some("moved on".into());
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    let mut changed = stale.manifest.clone();
    changed.documents[0].file_name = "renamed.pdf".into();
    let lost = write_manifest(
        &store,
        &mrn,
        &changed,
        Write::IfMatch(stale.etag.clone()),
        &stale.parts,
    )
    .await;
    assert!(matches!(lost, Err(StoreError::Conflict)));
    assert_eq!(part_keys(&store, &mrn).await.len(), 2);
    let read = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    assert_eq!(read.documents[0].file_name, "scan.pdf");
}

#[tokio::test]
async fn a_change_handed_a_stale_read_is_judged_again_on_a_fresh_one() {
    let store = InMemoryRecordStore::new();
    let mrn = mrn();
    create_manifest(&store, &mrn, &record(1)).await.unwrap();
    let stale = read_stored(&store, &mrn).await.unwrap().unwrap();
    update_manifest(&store, &mrn, |m| {
        m.documents.extend(record(1).documents);
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    // Refused on the stale read (one entry), allowed on the current one (two): it goes.
    let done = crate::update_manifest_from(&store, &mrn, Some(stale), |m| {
        if m.documents.len() < 2 {
            return Err("not yet");
        }
        m.demographics = Some("after".into());
        Ok(())
    })
    .await;
    assert!(done.is_ok());
    let read = read_manifest(&store, &mrn).await.unwrap().unwrap().value;
    assert_eq!(
        (read.documents.len(), read.demographics.as_deref()),
        (2, Some("after"))
    );
    // A refusal on a fresh read stands.
    let refused = crate::update_manifest_from(&store, &mrn, None, |_| Err::<(), _>("no")).await;
    assert!(matches!(refused, Err(crate::UpdateError::Rule("no"))));
}

/// Stores `head` as the record's head: reading the record is then refused as corrupt.
pub(super) async fn assert_refused_as_corrupt(store: &InMemoryRecordStore, mrn: &Mrn, head: &Head) {
    (store as &dyn RecordStore)
        .put_json(&keys::manifest(mrn), head, Write::Overwrite)
        .await
        .unwrap();
    assert!(matches!(
        read_manifest(store, mrn).await,
        Err(StoreError::Corrupt)
    ));
}

pub(super) async fn head_of(store: &InMemoryRecordStore, mrn: &Mrn) -> Head {
    (store as &dyn RecordStore)
        .get_json::<Head>(&keys::manifest(mrn))
        .await
        .unwrap()
        .unwrap()
        .value
}

pub(super) fn stamp_entry(m: &mut Manifest, i: usize) {
    m.documents[i].stamp = Some(Stamp {
        label: "verified".into(),
        by: "dr.okafor".into(),
        at: OffsetDateTime::UNIX_EPOCH,
    });
}
