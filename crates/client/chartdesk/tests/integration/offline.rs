//! Offline: what a user opened stays viewable from the encrypted cache when the network drops;
//! the cache is revalidated by ETag; nothing readable sits in the cache folder.

use chartdesk::services::Upload;
use chartdesk::{Services, UiError};
use chartdesk_api::ApiErrorCode;
use chartdesk_sandbox::demo_pdf;

use crate::local_cloud::{cloud, holds_a_jwt};
use crate::network_switch::{signed_in_via, NetworkSwitch};
use crate::upload::patient;

#[tokio::test]
async fn a_patient_and_the_files_opened_stay_viewable_offline_and_nothing_readable_is_on_disk() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-view", "dr.okafor").await;

    let live = s.patients().find("943 476 5919").await.unwrap();
    assert_eq!(live.synced_at, None, "first open is live");
    let lab = s.documents().list("10000001", "lab").await.unwrap();
    let preop = s.documents().list("10000001", "preop").await.unwrap();
    let pdf = s.documents().open("10000001", &lab[0].id).await.unwrap();
    let jpeg = s.documents().open("10000001", &preop[0].id).await.unwrap();
    assert!(s
        .documents()
        .thumbnail("10000001", &preop[0].id)
        .await
        .unwrap()
        .is_some());

    switch.cut();
    let cached = s.patients().find("9434765919").await.unwrap();
    assert!(
        cached.synced_at.is_some(),
        "the offline copy says how old it is"
    );
    assert_eq!(cached.banner.display_name, live.banner.display_name);
    assert_eq!(cached.tiles[1].count, live.tiles[1].count);
    assert_eq!(
        s.documents().list("10000001", "lab").await.unwrap().len(),
        lab.len()
    );
    let hits = s.offline().search_offline("whitf am").await.unwrap();
    assert_eq!(hits[0].mrn, "10000001", "offline search by name prefix");
    assert!(hits[0].label.starts_with("WHITFIELD, Amara"));
    let by_file = s.offline().search_offline(&lab[0].file_name).await.unwrap();
    assert!(
        by_file.iter().any(|h| h.doc_id == lab[0].id),
        "documents too"
    );
    let again = s.documents().open("10000001", &lab[0].id).await.unwrap();
    assert_eq!(
        again.bytes, pdf.bytes,
        "opened before: served from the cache"
    );
    assert!(s
        .documents()
        .thumbnail("10000001", &preop[0].id)
        .await
        .unwrap()
        .is_some());
    let unopened = s
        .documents()
        .open("10000001", &lab[1].id)
        .await
        .unwrap_err();
    assert_eq!(UiError::from(unopened).code, ApiErrorCode::Unreachable);
    let never_seen = s.patients().find("MRN 10000003").await.unwrap_err();
    assert_eq!(UiError::from(never_seen).code, ApiErrorCode::Unreachable);
    let revalidate = s.patients().revalidate("10000001").await.unwrap_err();
    assert_eq!(UiError::from(revalidate).code, ApiErrorCode::Unreachable);

    // At rest: no name, NHS number, file header, SQLite header or token anywhere.
    let needles: [&[u8]; 6] = [
        b"Whitfield",
        b"WHITFIELD",
        b"9434765919",
        b"%PDF",
        b"JFIF",
        b"SQLite format 3",
    ];
    let mut files = 0;
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        files += 1;
        assert!(!holds_a_jwt(&bytes), "{} holds a token", entry.display());
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds {:?}",
                entry.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
    assert!(files >= 1, "the cache exists");
    assert!(jpeg.bytes.windows(4).any(|w| w == b"JFIF") || jpeg.bytes.starts_with(&[0xFF, 0xD8]));

    switch.restore();
    assert!(s.is_online().await);
    assert!(
        s.patients().revalidate("10000001").await.unwrap().is_none(),
        "304: unchanged"
    );
    // The offline view was audited: the event waited in the cache and goes up now.
    let before = views_of(&lab[0].id).await;
    s.offline().flush_audits().await.unwrap();
    assert_eq!(
        views_of(&lab[0].id).await,
        before + 1,
        "the offline view's audit event was sent"
    );
}

#[tokio::test]
async fn revalidation_brings_a_change_made_elsewhere() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000041").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-revalidate", "dr.okafor").await;
    let before = s.patients().find("MRN 30000041").await.unwrap();
    setup
        .documents()
        .upload(Upload::new(
            "30000041",
            "lab",
            "new.pdf",
            demo_pdf("a", "b"),
        ))
        .await
        .unwrap();
    let shown = s.patients().find("MRN 30000041").await.unwrap();
    assert!(shown.synced_at.is_some(), "cache first");
    assert_eq!(shown.tiles[1].count, before.tiles[1].count);
    let fresh = s
        .patients()
        .revalidate("30000041")
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(fresh.tiles[1].count, before.tiles[1].count + 1);
    assert_eq!(fresh.synced_at, None);
}

#[tokio::test]
async fn a_garbled_cache_is_reported_and_reset_moves_it_aside() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-corrupt", "nurse.hughes").await;
    assert!(s.outbox().items().await.unwrap().is_empty());
    let db = walk(dir.path())
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "db"))
        .unwrap();
    drop(s);
    std::fs::write(&db, vec![0x42; 8192]).unwrap();

    let s = signed_in_via(&switch, dir.path(), "offline-corrupt", "nurse.hughes").await;
    let err = UiError::from(s.outbox().items().await.unwrap_err());
    assert_eq!(err.code, ApiErrorCode::CacheUnreadable);
    assert!(
        err.message.contains("Reset offline data"),
        "{}",
        err.message
    );
    // Viewing still works live while the cache is broken.
    assert!(s.patients().find("MRN 10000001").await.is_ok());
    s.offline().reset_cache().await.unwrap();
    assert!(s.outbox().items().await.unwrap().is_empty());
    let names: Vec<String> = walk(dir.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.contains(".unreadable-")),
        "{names:?}"
    );
    for path in walk(dir.path()) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "never recreated in clear"
        );
    }
}

/// Audit events of dr.okafor viewing this document.
async fn views_of(doc_id: &str) -> usize {
    let mut n = 0;
    for event in crate::local_cloud::audit_events().await {
        if event["doc_id"] == doc_id && event["actor"] == "dr.okafor" && event["action"] == "view" {
            n += 1;
        }
    }
    n
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_pinned_patient_is_fully_viewable_offline_and_clearing_keeps_waiting_uploads() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-pin", "nurse.hughes").await;
    let steps = std::sync::Mutex::new(Vec::new());
    let report = s
        .offline()
        .pin_patient("10000004", |done, total| {
            steps.lock().unwrap().push((done, total))
        })
        .await
        .unwrap();
    assert_eq!(
        report.documents, 8,
        "every attached document of the patient"
    );
    assert_eq!(steps.lock().unwrap().last(), Some(&(8, 8)));
    let shown = s.patients().find("MRN 10000004").await.unwrap();
    assert!(
        shown.pinned,
        "the window is told the patient is kept offline"
    );
    s.outbox()
        .queue_upload(Upload::new(
            "10000004",
            "lab",
            "later.pdf",
            demo_pdf("a", "b"),
        ))
        .await
        .unwrap();

    switch.cut();
    for category in ["preop", "lab", "discharge"] {
        for row in s.documents().list("10000004", category).await.unwrap() {
            assert!(
                s.documents().open("10000004", &row.id).await.is_ok(),
                "{category} {} never opened, yet available offline",
                row.file_name
            );
        }
    }
    s.offline().unpin_patient("10000004").await.unwrap();
    assert!(!s.patients().find("MRN 10000004").await.unwrap().pinned);
    s.offline().clear_offline_data().await.unwrap();
    assert_eq!(
        s.outbox().items().await.unwrap().len(),
        1,
        "the outbox is not offline data"
    );
    let gone = s.patients().find("MRN 10000004").await.unwrap_err();
    assert_eq!(UiError::from(gone).code, ApiErrorCode::Unreachable);
    switch.restore();
    s.outbox()
        .discard_outbox_item(&s.outbox().items().await.unwrap()[0].doc_id)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_token_refresh_due_while_offline_keeps_the_session_and_the_cached_views() {
    use std::sync::atomic::{AtomicI64, Ordering};
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let ahead = std::sync::Arc::new(AtomicI64::new(0));
    let offset = ahead.clone();
    let clock: chartdesk::services::Clock = std::sync::Arc::new(move || {
        time::OffsetDateTime::now_utc() + time::Duration::seconds(offset.load(Ordering::SeqCst))
    });
    let mut p = cloud().profile();
    p.endpoint = Some(switch.endpoint.clone());
    p.server_url = Some(switch.server_url.clone());
    p.name = "offline-refresh".into();
    p.keychain = chartdesk::auth::KeychainBackend::Keyutils;
    let s = Services::new(p, clock)
        .await
        .with_cache_dir(dir.path().to_path_buf());
    s.sign_in("dr.okafor", cloud().password("dr.okafor"))
        .await
        .unwrap();
    s.patients().find("MRN 10000002").await.unwrap();

    switch.cut();
    // 57 minutes on: the ID token is within its refresh margin, and Cognito cannot be reached.
    ahead.store(57 * 60, Ordering::SeqCst);
    let cached = s.patients().find("MRN 10000002").await.unwrap();
    assert!(
        cached.synced_at.is_some(),
        "still signed in, from the cache"
    );
    let status = s.outbox().sync_round().await;
    assert!(!status.online);
    // Hours later, still offline: the session has expired but the offline copy stays open…
    ahead.store(5 * 3600, Ordering::SeqCst);
    assert!(
        s.patients().find("MRN 10000002").await.is_ok(),
        "offline grace"
    );
    // …for a bounded time.
    ahead.store(14 * 3600, Ordering::SeqCst);
    let ended = s.patients().find("MRN 10000002").await.unwrap_err();
    assert_eq!(UiError::from(ended).code, ApiErrorCode::Unauthenticated);
    ahead.store(57 * 60, Ordering::SeqCst);

    switch.restore();
    assert!(
        s.patients().find("MRN 10000002").await.is_ok(),
        "the refresh succeeds once back"
    );
    assert!(s.outbox().sync_round().await.online);
}

#[tokio::test]
async fn a_document_opened_online_is_found_offline_by_the_words_the_server_read_in_it() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-words", "nurse.hughes").await;
    patient("30000091").await;
    let pdf = demo_pdf(
        "Renal clinic",
        "Eplerenone started, potassium to be checked weekly.",
    );
    let row = s
        .documents()
        .upload(Upload::new("30000091", "lab", "clinic.pdf", pdf))
        .await
        .unwrap();
    // Until the server's worker has read it, the open answer has no text to keep.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let rows = s.documents().list("30000091", "lab").await.unwrap();
        if rows
            .iter()
            .any(|r| r.id == row.id && r.status_note.is_none())
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never processed");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    s.patients().find("MRN 30000091").await.unwrap();
    s.documents().open("30000091", &row.id).await.unwrap();

    switch.cut();
    let hits = s.offline().search_offline("eplerenone").await.unwrap();
    assert!(
        hits.iter().any(|h| h.doc_id == row.id),
        "found offline by a word inside it: {hits:?}"
    );
    assert!(s
        .offline()
        .search_offline("spironolactone")
        .await
        .unwrap()
        .is_empty());
}
