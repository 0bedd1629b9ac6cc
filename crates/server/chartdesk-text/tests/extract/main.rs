//! `extract` against the real poppler and tesseract, on files the tests make, and `find` over
//! what they read: the words a clinician would search for are found on the right page.

// A test: a fixture that cannot be made is a failure to report, not input to recover from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;

use std::time::Duration;

use chartdesk_text::{extract, find, Found, Limits, TextError, TextSource};
use fixtures::{pdf, tiff, Files, Page};

fn pdf_of(files: &Files, pages: &[Page]) -> std::path::PathBuf {
    files.write("record.pdf", &pdf(pages))
}

#[test]
fn a_pdf_text_layer_is_read_page_by_page() {
    let files = Files::new();
    let path = pdf_of(
        &files,
        &[
            Page::Typed(&["Potassium 4.1 mmol/L", "Seen 03-Dec-2026"]),
            Page::Typed(&["Haemoglobin 131 g/L"]),
        ],
    );
    let text = extract(&path, "application/pdf", &Limits::default()).unwrap();
    assert_eq!(text.page_count, 2);
    assert!(!text.truncated);
    assert!(text.pages.iter().all(|p| p.source == TextSource::TextLayer));
    assert_eq!(find(&text, "potassium"), Some(Found { page: 1 }));
    assert_eq!(find(&text, "haemo"), Some(Found { page: 2 }), "a prefix");
    assert_eq!(find(&text, "2026-12-03"), Some(Found { page: 1 }), "a date");
}

#[test]
fn an_image_only_pdf_page_is_read_by_ocr() {
    let files = Files::new();
    let scan = files.picture_of(&["Discharge letter", "Warfarin stopped"]);
    let path = pdf_of(
        &files,
        &[
            Page::Typed(&["Cover sheet for ward 7"]),
            Page::Scanned(&scan),
        ],
    );
    let text = extract(&path, "application/pdf", &Limits::default()).unwrap();
    assert_eq!(text.pages[0].source, TextSource::TextLayer);
    assert_eq!(
        text.pages[1].source,
        TextSource::Ocr,
        "page 2 has no text layer"
    );
    assert_eq!(find(&text, "warfarin stopped"), Some(Found { page: 2 }));
    assert!(!text.truncated);
}

#[test]
fn a_png_of_typed_words_is_read_by_ocr() {
    let files = Files::new();
    let path = files.png_of(&["Referral to cardiology", "Palpitations"]);
    let text = extract(&path, "image/png", &Limits::default()).unwrap();
    assert_eq!(text.page_count, 1);
    assert_eq!(text.pages[0].source, TextSource::Ocr);
    assert_eq!(
        find(&text, "cardiology palpitations"),
        Some(Found { page: 1 })
    );
}

/// A 3-page TIFF of typed words: "Consent form", "Anaesthetic chart", "Recovery observations".
fn three_page_scan(files: &Files) -> std::path::PathBuf {
    let first = files.picture_of(&["Consent form"]);
    let second = files.picture_of(&["Anaesthetic chart"]);
    let third = files.picture_of(&["Recovery observations"]);
    files.write("scan.tif", &tiff(&[&first, &second, &third]))
}

#[test]
fn every_page_of_a_multi_page_tiff_is_read_and_numbered() {
    let files = Files::new();
    let path = three_page_scan(&files);
    let text = extract(&path, "image/tiff", &Limits::default()).unwrap();
    assert_eq!(text.page_count, 3, "tesseract reads every page of the TIFF");
    assert_eq!(find(&text, "consent"), Some(Found { page: 1 }));
    assert_eq!(find(&text, "anaesthetic"), Some(Found { page: 2 }));
    assert_eq!(find(&text, "recovery"), Some(Found { page: 3 }));
}

#[test]
fn pages_past_the_page_limit_are_not_read_and_the_text_says_so() {
    let files = Files::new();
    let path = pdf_of(
        &files,
        &[
            Page::Typed(&["Page one words"]),
            Page::Typed(&["Page two words"]),
            Page::Typed(&["Page three words"]),
        ],
    );
    let limits = Limits {
        max_pages: 2,
        ..Limits::default()
    };
    let text = extract(&path, "application/pdf", &limits).unwrap();
    assert_eq!(text.page_count, 3);
    assert_eq!(text.pages.len(), 2);
    assert!(text.truncated);
    assert_eq!(find(&text, "three"), None);
}

#[test]
fn scanned_pages_past_the_ocr_limit_keep_their_text_layer_and_the_text_says_so() {
    let files = Files::new();
    let scan = files.picture_of(&["Handwritten note"]);
    let path = pdf_of(
        &files,
        &[Page::Typed(&["Typed summary"]), Page::Scanned(&scan)],
    );
    let limits = Limits {
        ocr_max_pages: 0,
        ..Limits::default()
    };
    let text = extract(&path, "application/pdf", &limits).unwrap();
    assert_eq!(text.pages.len(), 2);
    assert_eq!(text.pages[1].source, TextSource::TextLayer);
    assert!(text.truncated);
    assert_eq!(find(&text, "handwritten"), None);
}

#[test]
fn a_broken_pdf_is_a_plain_error() {
    let files = Files::new();
    let path = files.write("broken.pdf", b"%PDF-1.7\nthis is not a PDF body");
    let err = extract(&path, "application/pdf", &Limits::default()).unwrap_err();
    assert!(matches!(err, TextError::Unreadable { .. }), "{err:?}");
    assert_eq!(err.to_string(), "the file could not be read as a PDF");
}

#[test]
fn a_broken_image_is_a_plain_error() {
    let files = Files::new();
    let path = files.write("broken.png", b"\x89PNG\r\n\x1a\nnot really");
    let err = extract(&path, "image/png", &Limits::default()).unwrap_err();
    assert!(matches!(err, TextError::Unreadable { .. }), "{err:?}");
}

#[test]
fn a_spent_time_budget_stops_the_work_with_a_plain_error() {
    let files = Files::new();
    let path = pdf_of(&files, &[Page::Typed(&["Any words"])]);
    let limits = Limits {
        timeout: Duration::ZERO,
        ..Limits::default()
    };
    let err = extract(&path, "application/pdf", &limits).unwrap_err();
    assert!(matches!(err, TextError::TimedOut(_)), "{err:?}");
}

#[test]
fn tiff_pages_past_the_ocr_limit_are_not_read_and_the_text_says_so() {
    let files = Files::new();
    let path = three_page_scan(&files);
    let limits = Limits {
        ocr_max_pages: 2,
        ..Limits::default()
    };
    let text = extract(&path, "image/tiff", &limits).unwrap();
    assert_eq!(text.page_count, 3, "counted from the file, not read");
    assert_eq!(text.pages.len(), 2);
    assert!(text.truncated);
    assert_eq!(find(&text, "anaesthetic"), Some(Found { page: 2 }));
    assert_eq!(find(&text, "recovery"), None);
}
