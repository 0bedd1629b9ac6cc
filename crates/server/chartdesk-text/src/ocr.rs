//! OCR with the `tesseract` command (English). It reads every page of a multi-page TIFF itself
//! and puts a form feed between pages (none after the last), which is how pages are told apart.

use std::path::Path;

use crate::command::{read_capped, run, Budget};
use crate::error::TextError;
use crate::{DocumentText, Limits, PageText, TextSource};

/// The pages of an image file, OCR'd. Beyond `ocr_max_pages` pages, the rest are dropped and the
/// result says it was truncated (tesseract reads them all first: the time budget bounds that).
pub(crate) fn extract_image(
    image: &Path,
    work: &Path,
    limits: &Limits,
    budget: &Budget,
) -> Result<DocumentText, TextError> {
    let (pages, cut) = ocr(
        image,
        work,
        output_cap(limits, limits.ocr_max_pages),
        budget,
    )?;
    let page_count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    let keep = limits.ocr_max_pages.min(limits.max_pages);
    let pages: Vec<PageText> = pages
        .into_iter()
        .zip(1..=keep)
        .map(|(text, page)| PageText {
            page,
            text,
            source: TextSource::Ocr,
        })
        .collect();
    Ok(DocumentText {
        truncated: cut || page_count > keep,
        pages,
        page_count,
    })
}

/// The text of each page tesseract finds in `image`, and whether its output passed `max_bytes`.
pub(crate) fn ocr(
    image: &Path,
    work: &Path,
    max_bytes: u64,
    budget: &Budget,
) -> Result<(Vec<String>, bool), TextError> {
    let out = work.join("ocr.txt");
    let args = [
        image.as_os_str(),
        "stdout".as_ref(),
        "-l".as_ref(),
        "eng".as_ref(),
    ];
    if !run("tesseract", &args, work, Some(&out), budget)? {
        return Err(TextError::Unreadable { kind: "image" });
    }
    let (text, cut) = read_capped(&out, max_bytes, "tesseract")?;
    Ok((text.split('\u{c}').map(str::to_string).collect(), cut))
}

/// How much of a tool's output to read for `pages` pages: a little over each page's cap, so a
/// page is cut by `tidy` (and marked truncated) rather than its followers lost unseen.
pub(crate) fn output_cap(limits: &Limits, pages: u32) -> u64 {
    let per_page = u64::try_from(limits.max_page_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    per_page.saturating_mul(u64::from(pages.max(1)))
}
