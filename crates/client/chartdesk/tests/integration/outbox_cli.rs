//! The outbox through the command line (`chartdesk upload`, `outbox`, `sync`): exit codes that
//! name what was refused, a run judged by its own files, and sixteen first runs of one user at
//! once sharing one cache. Each run has a data folder (an outbox) of its own.

use std::process::{Command, Stdio};

use chartdesk::services::Upload;
use chartdesk_sandbox::demo_pdf;

use crate::local_cloud::cloud;
use crate::upload::patient;

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
