//! OCR with the `tesseract` command (English). A multi-page TIFF is read one page at a time
//! (`tessedit_page_number`), so the page limit holds and a spent time budget keeps the pages
//! already read; its pages are counted from the file's directories (the `tiff` crate reads no
//! pixels for that). A single image, or a TIFF whose directories cannot be walked, is read in one
//! run: tesseract then puts a form feed between pages (none after the last).

use std::ffi::OsStr;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::command::{read_capped, run, Budget};
use crate::error::TextError;
use crate::{DocumentText, Limits, PageText, TextSource};

/// A bound on walking a TIFF's directories (a scanner batch is a few hundred pages at most).
const MAX_TIFF_PAGES: u32 = 100_000;

/// The pages of an image file, OCR'd, up to `ocr_max_pages` (and `max_pages`); the result says
/// when more pages were left unread.
pub(crate) fn extract_image(
    image: &Path,
    work: &Path,
    limits: &Limits,
    budget: &Budget,
    tiff: bool,
) -> Result<DocumentText, TextError> {
    let keep = limits.ocr_max_pages.min(limits.max_pages);
    let cap = output_cap(limits, 1);
    match tiff.then(|| tiff_pages(image)).flatten() {
        Some(count) if count > 1 => {
            let mut text = DocumentText {
                page_count: count,
                truncated: count > keep,
                pages: Vec::new(),
            };
            for page in 1..=count.min(keep) {
                let only = format!("tessedit_page_number={}", page - 1);
                match ocr(image, work, cap, budget, &["-c".as_ref(), only.as_ref()]) {
                    Ok((texts, cut)) => {
                        text.truncated |= cut;
                        text.pages.push(PageText {
                            page,
                            text: texts.join("\n"),
                            source: TextSource::Ocr,
                        });
                    }
                    Err(TextError::TimedOut(_)) if page > 1 => {
                        text.truncated = true;
                        break;
                    }
                    Err(other) => return Err(other),
                }
            }
            Ok(text)
        }
        _ => {
            let (texts, cut) = ocr(image, work, output_cap(limits, keep), budget, &[])?;
            let page_count = u32::try_from(texts.len()).unwrap_or(u32::MAX);
            let pages = texts
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
    }
}

/// The text of each page tesseract reads in `image`, and whether its output passed `max_bytes`.
pub(crate) fn ocr(
    image: &Path,
    work: &Path,
    max_bytes: u64,
    budget: &Budget,
    options: &[&OsStr],
) -> Result<(Vec<String>, bool), TextError> {
    let out = work.join("ocr.txt");
    let fixed: [&OsStr; 4] = [
        image.as_os_str(),
        "stdout".as_ref(),
        "-l".as_ref(),
        "eng".as_ref(),
    ];
    let args: Vec<&OsStr> = fixed.into_iter().chain(options.iter().copied()).collect();
    if !run("tesseract", &args, work, Some(&out), budget)? {
        return Err(TextError::Unreadable { kind: "image" });
    }
    let (text, cut) = read_capped(&out, max_bytes, "tesseract")?;
    Ok((text.split('\u{c}').map(str::to_string).collect(), cut))
}

/// How many pages (directories) a TIFF holds, or None when the file cannot be walked.
fn tiff_pages(path: &Path) -> Option<u32> {
    let file = BufReader::new(File::open(path).ok()?);
    let mut decoder = tiff::decoder::Decoder::new(file).ok()?;
    let mut count = 1;
    while decoder.more_images() && count < MAX_TIFF_PAGES {
        if decoder.next_image().is_err() {
            break;
        }
        count += 1;
    }
    Some(count)
}

/// How much of a tool's output to read for `pages` pages: a little over each page's cap, so a
/// page is cut by `tidy` (and marked truncated) rather than its followers lost unseen.
pub(crate) fn output_cap(limits: &Limits, pages: u32) -> u64 {
    let per_page = u64::try_from(limits.max_page_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    per_page.saturating_mul(u64::from(pages.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiff_s_pages_are_counted_without_reading_them_and_other_files_are_not_tiffs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scan.tif");
        let mut file = File::create(&path).unwrap();
        let mut encoder = tiff::encoder::TiffEncoder::new(&mut file).unwrap();
        for _ in 0..4 {
            encoder
                .write_image::<tiff::encoder::colortype::Gray8>(2, 2, &[0, 255, 255, 0])
                .unwrap();
        }
        drop(file);
        assert_eq!(tiff_pages(&path), Some(4));
        std::fs::write(&path, b"\x89PNG\r\n\x1a\n").unwrap();
        assert_eq!(tiff_pages(&path), None);
    }
}
