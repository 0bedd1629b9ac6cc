//! Upload complete → *clean with preview* (issue 24): files uploaded through the records
//! server of a sandbox (clamd, the worker polling moto's SQS), each timed from the moment its
//! upload completed to the moment the list shows it clean with its thumbnail. The peer is the
//! floor: the same tools run directly on the same file, with no queue, no S3 and no record
//! (clamscan, vipsthumbnail or pdftoppm, and tesseract or pdftotext).
//!
//! Args: the folder `images` made (camera-NN.jpg, a4-scan-NN.jpg) and a PDF of many pages.
//! Env: CHARTDESK_SERVER_BIN and CHARTDESK_MOTO_SERVER (for the test kit's sandbox).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chartdesk::config::Profile;
use chartdesk::services::{system_clock, Upload};
use chartdesk::Services;
use chartdesk_domain::ScanStatus;
use chartdesk_sandbox::SANDBOX_PROFILE;

use crate::{emit, quantile};

/// A demo patient the other rows leave alone.
const MRN: &str = "10000010";

pub async fn run(cloud: &chartdesk_testkit::Cloud, images: &Path, pdf: &Path) {
    let profile = Profile::load(&cloud.folders, SANDBOX_PROFILE).expect("profile");
    let app = Services::new(profile, system_clock()).await;
    let nurse = cloud.password("nurse.hughes").to_string();
    app.sign_in("nurse.hughes", &nurse).await.expect("sign in");
    let files = |prefix: &str| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(images)
            .expect("images")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
            })
            .collect();
        found.sort();
        found
    };
    let kinds = [
        ("12 MP camera JPEG", files("camera-"), "image/jpeg"),
        ("300 dpi A4 scan", files("a4-scan-"), "image/jpeg"),
        (
            "PDF of many pages",
            vec![pdf.to_path_buf()],
            "application/pdf",
        ),
    ];
    for (what, files, content_type) in kinds {
        let (mut ours, mut floor) = (Vec::new(), Vec::new());
        for file in &files {
            ours.push(until_clean(&app, file).await);
            floor.push(tools_alone(file, content_type));
        }
        let metric = format!("upload complete -> clean with preview: {what}");
        emit(
            "processing",
            &metric,
            "chartdesk worker (queue, clamd, previews, text)",
            true,
            "s",
            &ours,
            Some("p95 < 5 s"),
        );
        emit(
            "processing",
            &metric,
            "the tools alone on the file (clamscan, vipsthumbnail/pdftoppm, tesseract/pdftotext)",
            false,
            "s",
            &floor,
            None,
        );
        eprintln!(
            "processing: {what}: p50 {:.2} s, p95 {:.2} s (the tools alone: p50 {:.2} s)",
            quantile(&ours, 0.5),
            quantile(&ours, 0.95),
            quantile(&floor, 0.5)
        );
    }
}

/// Seconds from the upload's completion until the list shows the file clean with a thumbnail.
async fn until_clean(app: &Services, file: &Path) -> f64 {
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let bytes = std::fs::read(file).expect("read");
    let row = app
        .documents()
        .upload(Upload::new(MRN, "radiology", &name, bytes))
        .await
        .expect("upload");
    let completed = Instant::now();
    loop {
        let rows = app.documents().list(MRN, "radiology").await.expect("list");
        let listed = rows.iter().find(|r| r.id == row.id).expect("listed");
        if listed.scan_status == ScanStatus::Clean && listed.has_thumbnail {
            return completed.elapsed().as_secs_f64();
        }
        assert!(listed
            .status_note
            .as_deref()
            .is_none_or(|n| !n.starts_with("Processing failed")));
        assert!(
            completed.elapsed() < Duration::from_secs(300),
            "not processed: {name}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The same work by the tools alone: scan, preview, text.
fn tools_alone(file: &Path, content_type: &str) -> f64 {
    let out = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    run_tool(
        Command::new("clamscan")
            .args(["--no-summary", "-d"])
            .arg(signature_db(out.path()))
            .arg(file),
    );
    if content_type == "application/pdf" {
        run_tool(
            Command::new("pdftoppm")
                .args(["-f", "1", "-l", "1", "-scale-to", "320", "-jpeg"])
                .arg(file)
                .arg(out.path().join("thumb")),
        );
        run_tool(
            Command::new("pdftotext")
                .arg(file)
                .arg(out.path().join("text.txt")),
        );
    } else {
        run_tool(
            Command::new("vipsthumbnail")
                .arg(file)
                .args(["--size", "1600", "-o"])
                .arg(out.path().join("big.jpg")),
        );
        run_tool(
            Command::new("vipsthumbnail")
                .arg(file)
                .args(["--size", "320", "-o"])
                .arg(out.path().join("small.jpg")),
        );
        run_tool(
            Command::new("tesseract")
                .arg(file)
                .arg(out.path().join("text"))
                .args(["-l", "eng"]),
        );
    }
    started.elapsed().as_secs_f64()
}

/// The sandbox's one-signature database, so clamscan loads what clamd loads.
fn signature_db(dir: &Path) -> PathBuf {
    chartdesk_sandbox::launch::scanner::prepare(dir, 0).expect("signature database");
    dir.join("clamav-db")
}

fn run_tool(command: &mut Command) {
    let status = command.output().expect("the peer tool is installed").status;
    // clamscan exits 1 when it finds something: these files are clean, so 0.
    assert!(status.success(), "{command:?} failed");
}
