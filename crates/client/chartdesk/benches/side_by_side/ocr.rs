//! OCR pages per minute (issue 24): the worker's text step (`chartdesk_text::extract`, which
//! runs tesseract) on pictures of typed A4 pages, against the `tesseract` command alone on the
//! same pictures: the floor. Pages are drawn by poppler from a PDF of typed lines at 300 dpi.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chartdesk_sandbox::demo_pdf;
use chartdesk_text::{extract, Limits};

use crate::emit;

pub fn run(dir: &Path, pages: usize) {
    std::fs::create_dir_all(dir).expect("ocr dir");
    let pictures: Vec<PathBuf> = (0..pages).map(|i| page(dir, i)).collect();
    let mut ours = Vec::new();
    let mut floor = Vec::new();
    for picture in &pictures {
        let started = Instant::now();
        let text = extract(picture, "image/png", &Limits::default()).expect("text read");
        ours.push(started.elapsed().as_secs_f64());
        assert!(!text.pages.is_empty(), "words were read");
        let started = Instant::now();
        let status = Command::new("tesseract")
            .arg(picture)
            .arg("stdout")
            .args(["-l", "eng"])
            .env("OMP_THREAD_LIMIT", "1")
            .output()
            .expect("tesseract is installed")
            .status;
        assert!(status.success());
        floor.push(started.elapsed().as_secs_f64());
    }
    let per_minute = |samples: &[f64]| samples.len() as f64 * 60.0 / samples.iter().sum::<f64>();
    let metric = format!("OCR of {pages} typed A4 pages at 300 dpi, seconds a page");
    emit(
        "ocr",
        &metric,
        "chartdesk worker's text step",
        true,
        "s",
        &ours,
        Some("close to tesseract alone"),
    );
    emit(
        "ocr",
        &metric,
        "tesseract command alone (one thread)",
        false,
        "s",
        &floor,
        None,
    );
    eprintln!(
        "ocr: {:.1} pages a minute (the tesseract command alone: {:.1})",
        per_minute(&ours),
        per_minute(&floor)
    );
}

/// Page `i`: typed lines drawn at 300 dpi by poppler (a picture, no text layer).
fn page(dir: &Path, i: usize) -> PathBuf {
    let pdf = dir.join(format!("page-{i}.pdf"));
    let line = "Ward round: observations stable, plan reviewed with the registrar.";
    std::fs::write(&pdf, demo_pdf(&format!("Clinic letter {i}"), line)).expect("write pdf");
    let out = dir.join(format!("page-{i}"));
    let status = Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-png", "-singlefile"])
        .arg(&pdf)
        .arg(&out)
        .status()
        .expect("poppler's pdftoppm is installed");
    assert!(status.success());
    out.with_extension("png")
}
