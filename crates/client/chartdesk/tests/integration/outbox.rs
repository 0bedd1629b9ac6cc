//! The outbox: uploads are durable before they leave, survive a dropped network and a killed
//! process, and land exactly once.

use std::process::{Command, Stdio};
use std::time::Duration;

use chartdesk::services::{FileUpload, Upload};
use chartdesk::{Services, UiError};
use chartdesk_api::ApiErrorCode;
use chartdesk_sandbox::demo_pdf;

use crate::local_cloud::cloud;
use crate::network_switch::{signed_in_via, NetworkSwitch};
use crate::upload::{big_tiff, patient};

/// Services signed in as nurse.hughes through `switch`, with a cache folder of the test's own.
async fn ward_via(switch: &NetworkSwitch, cache: &std::path::Path, profile: &str) -> Services {
    signed_in_via(switch, cache, profile, "nurse.hughes").await
}

/// Multipart uploads still open under `prefix` (as an administrator lists them).
pub(crate) async fn open_uploads(prefix: &str) -> usize {
    let store = cloud().admin_store().await;
    chartdesk::cloud::CloudClients::new(&cloud().profile())
        .await
        .s3
        .list_multipart_uploads()
        .bucket(store.bucket())
        .prefix(prefix)
        .send()
        .await
        .unwrap()
        .uploads()
        .len()
}

#[tokio::test]
async fn an_upload_queued_while_the_network_is_down_goes_up_once_when_it_returns() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000031").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-offline").await;

    switch.cut();
    let doc_id = s
        .outbox()
        .queue_upload(Upload::new(
            "30000031",
            "lab",
            "bloods.pdf",
            demo_pdf("Lab", "x"),
        ))
        .await
        .unwrap();
    let report = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.left), (0, 1), "kept while offline");
    let waiting = s.outbox().items().await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].attempts, 1);
    assert!(waiting[0]
        .last_error
        .as_deref()
        .unwrap_or_default()
        .contains("could not be reached"));

    switch.restore();
    let report = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.left), (1, 0));
    assert!(s.outbox().items().await.unwrap().is_empty());
    // Draining again changes nothing: the document is there once.
    s.outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    let rows = setup.documents().list("30000031", "lab").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, doc_id);
}

#[tokio::test]
async fn a_bad_file_is_refused_before_it_reaches_the_outbox() {
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-refusal").await;
    let err = s
        .outbox()
        .queue_upload(Upload::new(
            "30000031",
            "lab",
            "x.pdf",
            b"MZ\x90\x00".to_vec(),
        ))
        .await
        .unwrap_err();
    assert_eq!(UiError::from(err).code, ApiErrorCode::InvalidInput);
    assert!(s.outbox().items().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_preop_image_queued_offline_waits_for_the_users_decision_when_preop_is_full() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000032").await;
    for i in 0..3 {
        setup
            .documents()
            .upload(Upload::new(
                "30000032",
                "preop",
                &format!("p{i}.jpg"),
                chartdesk_sandbox::demo_jpeg(i),
            ))
            .await
            .unwrap();
    }
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-preop").await;
    let doc_id = s
        .outbox()
        .queue_upload(Upload::new(
            "30000032",
            "preop",
            "p4.jpg",
            chartdesk_sandbox::demo_jpeg(9),
        ))
        .await
        .unwrap();
    let report = s
        .outbox()
        .drain_outbox(1, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!(report.failed, 1, "asked, not dropped");
    let item = &s.outbox().items().await.unwrap()[0];
    assert_eq!(item.last_error_code.as_deref(), Some("preop_full"));
    assert!(item
        .last_error
        .as_deref()
        .unwrap_or_default()
        .starts_with("Preop already holds 3 images"));
    s.outbox().retry_outbox_item(&doc_id, true).await.unwrap();
    let report = s
        .outbox()
        .drain_outbox(1, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    let preop = setup.documents().list("30000032", "preop").await.unwrap();
    assert_eq!(preop.len(), 3);
    assert!(preop.iter().any(|r| r.id == doc_id));
}

/// The CLI's cache key is made on first use; make it once, before tests run CLIs in
/// parallel, so two first uses cannot race to store different keys.
pub(crate) fn cli_cache_key_made() {
    static MADE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let status = cli(dir.path(), &["outbox", "--user", "nurse.hughes"])
            .status()
            .unwrap();
        assert!(status.success());
    });
}

/// Runs the CLI with its own data folder (its own outbox).
pub(crate) fn cli(data: &std::path::Path, args: &[&str]) -> Command {
    let c = cloud();
    let mut command = Command::new(chartdesk_testkit::command_line());
    command
        .args(args)
        .env("CHARTDESK_CONFIG_DIR", &c.folders.config)
        .env("CHARTDESK_DATA_DIR", data)
        .env("CHARTDESK_PASSWORD", cloud().password("nurse.hughes"))
        .env("CHARTDESK_KEYCHAIN", "keyutils")
        .env("CHARTDESK_SERVER_URL", &c.server_url)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[tokio::test]
async fn cli_upload_adds_the_good_files_and_exits_non_zero_naming_the_refused_one() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000034").await;
    cli_cache_key_made();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("ecg.pdf");
    std::fs::write(&good, demo_pdf("ECG", "sinus rhythm")).unwrap();
    let bad = files.path().join("setup.pdf");
    std::fs::write(&bad, b"MZ\x90\x00 not a pdf").unwrap();
    let out = cli(
        data.path(),
        &[
            "upload",
            "--user",
            "nurse.hughes",
            "--mrn",
            "30000034",
            "--category",
            "lab",
        ],
    )
    .arg(&good)
    .arg(&bad)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a refused file makes the run fail");
    assert!(
        stderr.contains("setup.pdf: only PDF, JPEG, PNG and TIFF"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("added   ") && stdout.contains("ecg.pdf"),
        "{stdout}"
    );
    let rows = setup.documents().list("30000034", "lab").await.unwrap();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn a_multipart_upload_cut_off_mid_transfer_resumes_with_the_parts_already_sent() {
    use chartdesk_records::store::part_journal::PartJournal;
    use chartdesk_records::store::transfer::PART_SIZE;
    patient("30000040").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "resume-parts").await;
    // A long scan: a PDF of six parts (its content is checked by its magic bytes).
    let mut body = demo_pdf("Long scan", "many pages");
    body.extend((0..PART_SIZE * 5 + 1234).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8));
    // Queued from disk, as the CLI and the window do: kept in chunks and sent a part at a time.
    let file = dir.path().join("long.pdf");
    std::fs::write(&file, &body).unwrap();
    let doc_id = s
        .outbox()
        .queue_file(&file, "30000040", "lab", false)
        .await
        .unwrap();
    let journal_key = format!("doc/{doc_id}");
    let cache = s.cache().await.unwrap();

    // The process "dies" (the send is dropped, no clean-up) once S3 has accepted a part.
    let recorded = tokio::select! {
        _ = s.outbox().drain_outbox(1, |_| chartdesk_records::store::Progress::silent()) => {
            panic!("the upload finished before any part was recorded")
        }
        recorded = async {
            loop {
                if let Some(r) = cache.recall(&journal_key).await.filter(|r| !r.parts.is_empty()) {
                    break r;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        } => recorded,
    };
    assert!(s
        .documents()
        .list("30000040", "lab")
        .await
        .unwrap()
        .is_empty());

    let first = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = first.clone();
    // The first bytes counted: whole recorded parts when resumed, one 64 KiB slice if not.
    let report = s
        .outbox()
        .drain_outbox(1, move |_| {
            let seen = seen.clone();
            chartdesk_records::store::Progress::new(move |sent, _| {
                if sent > 0 {
                    seen.lock().unwrap().get_or_insert(sent);
                }
            })
        })
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let resumed_from = first.lock().unwrap().unwrap_or_default();
    assert!(
        resumed_from >= (recorded.parts.len() * PART_SIZE) as u64,
        "the recorded parts were not sent again (resumed at {resumed_from} bytes)"
    );
    let rows = s.documents().list("30000040", "lab").await.unwrap();
    assert_eq!(rows.len(), 1);
    crate::local_cloud::cloud()
        .processed("30000040", &rows[0].id)
        .await;
    let opened = s.documents().open("30000040", &rows[0].id).await.unwrap();
    assert!(
        opened.bytes == body,
        "resumed parts reassemble to the same bytes"
    );
    assert!(
        cache.recall(&journal_key).await.is_none(),
        "the journal is cleared"
    );
    assert_eq!(
        open_uploads("patients/30000040/").await,
        0,
        "no multipart upload left open"
    );
}

#[tokio::test]
async fn the_network_dropping_mid_upload_leaves_it_queued_and_it_lands_once_when_back() {
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000035").await;
    let switch = std::sync::Arc::new(NetworkSwitch::start(&cloud().endpoint).await);
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "outbox-mid-cut").await;
    let tiff = big_tiff();
    s.outbox()
        .queue_upload(Upload::new(
            "30000035",
            "radiology",
            "ct.tiff",
            tiff.clone(),
        ))
        .await
        .unwrap();
    let cutter = switch.clone();
    let report = s
        .outbox()
        .drain_outbox(1, move |_| {
            let cutter = cutter.clone();
            chartdesk_records::store::Progress::new(move |sent, _| {
                if sent > 3 * 1024 * 1024 {
                    cutter.cut();
                }
            })
        })
        .await
        .unwrap();
    assert_eq!(
        (report.sent, report.left),
        (0, 1),
        "cut mid-transfer: still queued"
    );
    assert!(setup
        .documents()
        .list("30000035", "radiology")
        .await
        .unwrap()
        .is_empty());

    switch.restore();
    let report = s
        .outbox()
        .drain_outbox(1, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!((report.sent, report.left), (1, 0));
    let rows = setup
        .documents()
        .list("30000035", "radiology")
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "exactly once");
    crate::local_cloud::cloud()
        .processed("30000035", &rows[0].id)
        .await;
    let opened = setup
        .documents()
        .open("30000035", &rows[0].id)
        .await
        .unwrap();
    assert!(opened.bytes == tiff);
}

#[tokio::test]
async fn an_upload_run_is_judged_by_its_own_files_not_by_items_left_from_earlier_runs() {
    use chartdesk_sandbox::demo_jpeg;
    let setup = cloud().signed_in("nurse.hughes").await;
    patient("30000036").await;
    for seed in 0..3 {
        setup
            .documents()
            .upload(Upload::new(
                "30000036",
                "preop",
                &format!("full-{seed}.jpg"),
                demo_jpeg(seed),
            ))
            .await
            .unwrap();
    }
    cli_cache_key_made();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let refused = files.path().join("fourth.jpg");
    std::fs::write(&refused, demo_jpeg(7)).unwrap();
    let args = [
        "upload",
        "--user",
        "nurse.hughes",
        "--mrn",
        "30000036",
        "--category",
        "preop",
    ];
    let first = cli(data.path(), &args).arg(&refused).status().unwrap();
    assert!(!first.success(), "preop full: this run's file was refused");

    let newer = files.path().join("newer.jpg");
    std::fs::write(&newer, demo_jpeg(8)).unwrap();
    let out = cli(data.path(), &args)
        .arg("--replace-oldest")
        .arg(&newer)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 of 1 files added"), "{stdout}");
    assert!(stderr.contains("from earlier runs"), "{stderr}");
    let rows = setup.documents().list("30000036", "preop").await.unwrap();
    assert!(rows.iter().any(|r| r.file_name == "newer.jpg"));
    assert_eq!(rows.len(), 3, "the oldest was replaced");

    // A script settles what waits: retry with replace-oldest, or discard.
    let waiting = |name: &str| {
        let out = cli(data.path(), &["outbox", "--user", "nurse.hughes", "--json"])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["file_name"] == name)
            .map(|i| i["doc_id"].as_str().unwrap().to_string())
    };
    let fourth = waiting("fourth.jpg").expect("the refused item waits");
    let retried = cli(
        data.path(),
        &[
            "outbox",
            "--user",
            "nurse.hughes",
            "retry",
            &fourth,
            "--replace-oldest",
        ],
    )
    .status()
    .unwrap();
    assert!(retried.success());
    assert!(waiting("fourth.jpg").is_none());
    let rows = setup.documents().list("30000036", "preop").await.unwrap();
    assert!(rows.iter().any(|r| r.file_name == "fourth.jpg"));

    let fifth = files.path().join("fifth.jpg");
    std::fs::write(&fifth, demo_jpeg(9)).unwrap();
    assert!(!cli(data.path(), &args)
        .arg(&fifth)
        .status()
        .unwrap()
        .success());
    let id = waiting("fifth.jpg").expect("refused: preop full");
    let discarded = cli(
        data.path(),
        &["outbox", "--user", "nurse.hughes", "discard", &id],
    )
    .status()
    .unwrap();
    assert!(discarded.success());
    assert!(waiting("fifth.jpg").is_none(), "discarded");
    let unknown = cli(
        data.path(),
        &["outbox", "--user", "nurse.hughes", "discard", &id],
    )
    .status()
    .unwrap();
    assert!(!unknown.success(), "no such item: a clear refusal");
}

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

#[tokio::test]
async fn sixteen_first_runs_of_one_user_at_once_share_one_cache_and_every_file_lands_once() {
    patient("30000039").await;
    let c = cloud();
    // A profile of its own: its keychain entries (the cache key) do not exist yet.
    let profile = format!("race{}", uuid::Uuid::now_v7().simple());
    let config = tempfile::tempdir().unwrap();
    let sandbox = std::fs::read_to_string(c.folders.config.join("config.toml")).unwrap();
    std::fs::write(
        config.path().join("config.toml"),
        sandbox.replace("[profiles.sandbox]", &format!("[profiles.{profile}]")),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut command = Command::new(chartdesk_testkit::command_line());
        command
            .args(args)
            .env("CHARTDESK_CONFIG_DIR", config.path())
            .env("CHARTDESK_DATA_DIR", data.path())
            .env("CHARTDESK_PROFILE", &profile)
            .env("CHARTDESK_PASSWORD", cloud().password("nurse.hughes"))
            .env("CHARTDESK_KEYCHAIN", "keyutils")
            .env("CHARTDESK_SERVER_URL", &c.server_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    let children: Vec<_> = (0..16)
        .map(|i| {
            let path = files.path().join(format!("race-{i}.pdf"));
            std::fs::write(&path, demo_pdf("Race", &format!("run {i}"))).unwrap();
            let args = [
                "upload",
                "--user",
                "nurse.hughes",
                "--mrn",
                "30000039",
                "--category",
                "lab",
            ];
            run(&args).arg(&path).spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("cannot be opened with its key"),
            "no run made a key of its own: {stderr}"
        );
    }
    let synced = run(&["sync", "--user", "nurse.hughes"]).output().unwrap();
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let setup = c.signed_in("nurse.hughes").await;
    let rows = setup.documents().list("30000039", "lab").await.unwrap();
    for i in 0..16 {
        let name = format!("race-{i}.pdf");
        assert_eq!(
            rows.iter().filter(|r| r.file_name == name).count(),
            1,
            "{name} landed exactly once"
        );
    }
}

#[tokio::test]
async fn an_offline_view_the_server_refuses_never_holds_uploads_back() {
    patient("30000051").await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = ward_via(&switch, dir.path(), "bad-view").await;
    // A view the server will not take (a record number of no valid form).
    let bad = serde_json::json!({
        "event_id": uuid::Uuid::now_v7(), "at": "2026-01-01T00:00:00Z", "actor": "nurse.hughes",
        "action": "view", "mrn": "not an mrn", "doc_id": null
    });
    s.cache()
        .await
        .unwrap()
        .queue_audit("audit/bad.json", bad.to_string())
        .await
        .unwrap();
    s.outbox()
        .queue_upload(Upload::new(
            "30000051",
            "lab",
            "after.pdf",
            demo_pdf("a", "b"),
        ))
        .await
        .unwrap();
    let report = s
        .outbox()
        .drain_outbox(2, |_| chartdesk_records::store::Progress::silent())
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "the upload went up: {report:?}");
}

/// A file as the window stages it before the core reads it.
pub(crate) fn staged_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    file
}
