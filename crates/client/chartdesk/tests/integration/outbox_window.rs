//! The outbox beside the window: a file the window staged and is sending is cancelled cleanly,
//! and the background round never sends what the window is sending.

use std::time::Duration;

use chartdesk::services::FileUpload;
use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;

use crate::local_cloud::cloud;
use crate::network_switch::NetworkSwitch;
use crate::outbox::{open_uploads, ward_via};
use crate::upload::{big_tiff, patient};

#[tokio::test]
async fn cancel_in_the_window_removes_the_item_and_leaves_nothing_sent_or_open() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    patient("30000037").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "cancel-window").await;
    let cancel = tokio_util::sync::CancellationToken::new();
    let pressed = Arc::new(AtomicBool::new(false));
    let (button, once) = (cancel.clone(), pressed.clone());
    // The window stages the file on disk and the core reads it from there (add_file).
    let staged = staged_file(&big_tiff());
    let upload = FileUpload {
        path: staged.path(),
        file_name: "big.tiff",
        mrn: "30000037",
        category: "radiology",
        replace_oldest: false,
        cancel: cancel.clone(),
        // The user presses Cancel once the first parts are on their way.
        progress: chartdesk_records::store::Progress::new(move |sent, _| {
            if sent > 2 * 1024 * 1024 && !once.swap(true, Ordering::SeqCst) {
                button.cancel();
            }
        }),
    };
    let refused = s.outbox().add_file(upload).await.unwrap_err();
    assert!(pressed.load(Ordering::SeqCst), "cancelled mid-transfer");
    assert_eq!(UiError::from(refused).code, ApiErrorCode::Cancelled);
    assert!(
        s.outbox().items().await.unwrap().is_empty(),
        "nothing stays queued"
    );
    // A background round afterwards sends nothing.
    let round = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!(round.sent, 0);
    assert!(s
        .documents()
        .list("30000037", "radiology")
        .await
        .unwrap()
        .is_empty());
    let store = cloud().admin_store().await;
    let left = store
        .list_keys("patients/30000037/originals/")
        .await
        .unwrap();
    assert!(left.is_empty(), "no object of it is left: {left:?}");
    assert_eq!(
        open_uploads("patients/30000037/").await,
        0,
        "its multipart upload was aborted"
    );
}

#[tokio::test]
async fn the_background_round_never_sends_an_item_the_window_is_sending() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    patient("30000038").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "one-sender").await;
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let staged = staged_file(&big_tiff());
    let upload = FileUpload {
        path: staged.path(),
        file_name: "slow.tiff",
        mrn: "30000038",
        category: "radiology",
        replace_oldest: false,
        cancel: tokio_util::sync::CancellationToken::new(),
        // A slow link: every 64 KiB slice takes a little while.
        progress: chartdesk_records::store::Progress::new(move |sent, _| {
            if sent > 0 {
                flag.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(2));
            }
        }),
    };
    let window = s.outbox().add_file(upload);
    let background = async {
        while !started.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        s.outbox()
            .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
            .await
            .unwrap()
    };
    let (added, round) = tokio::join!(window, background);
    assert!(
        matches!(
            added.unwrap(),
            chartdesk::services::UploadOutcome::Added { .. }
        ),
        "the window's send lands"
    );
    assert_eq!((round.sent, round.left), (0, 1), "the round left it alone");
    assert!(round.items[0]
        .message
        .as_deref()
        .unwrap()
        .contains("another"));
    let rows = s.documents().list("30000038", "radiology").await.unwrap();
    assert_eq!(rows.len(), 1, "one manifest entry");
    let store = cloud().admin_store().await;
    // The previews and text are the worker's: only the original is the clients'.
    let objects = store
        .list_keys("patients/30000038/originals/")
        .await
        .unwrap();
    assert_eq!(objects.len(), 1, "exactly one original: {objects:?}");
    assert!(s.outbox().items().await.unwrap().is_empty());
}

/// A file as the window stages it before the core reads it.
pub(crate) fn staged_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    file
}
