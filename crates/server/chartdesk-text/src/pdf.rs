//! A PDF's text with poppler: the text layer of every page (`pdftotext -layout`, one run, pages
//! apart by form feeds), then OCR for the pages that have next to none (scanned pages).

use std::path::Path;

use crate::command::{read_capped, run, Budget};
use crate::error::TextError;
use crate::ocr::{ocr, output_cap};
use crate::{DocumentText, Limits, PageText, TextSource};

/// A page with fewer letters and digits than this in its text layer is taken for a scan.
const MIN_TEXT_CHARS: usize = 8;

/// The longer side of a page rendered for OCR, in pixels: A4 at 300 dpi, and a bound on memory
/// whatever size a page claims to be.
const OCR_RENDER_PX: &str = "3508";

const UNREADABLE: TextError = TextError::Unreadable { kind: "PDF" };

pub(crate) fn extract(
    file: &Path,
    work: &Path,
    limits: &Limits,
    budget: &Budget,
) -> Result<DocumentText, TextError> {
    let page_count = page_count(file, work, budget)?;
    let last = page_count.min(limits.max_pages);
    let (layer, cut) = text_layer(file, work, last, limits, budget)?;
    let mut truncated = cut || page_count > last;
    let mut ocr_left = limits.ocr_max_pages;
    let mut out_of_time = false;
    let mut pages = Vec::with_capacity(layer.len());
    for (text, page) in layer.into_iter().zip(1..) {
        let mut entry = PageText {
            page,
            text,
            source: TextSource::TextLayer,
        };
        if has_text(&entry.text) {
            pages.push(entry);
            continue;
        }
        if out_of_time || ocr_left == 0 {
            truncated = true;
        } else {
            ocr_left -= 1;
            match ocr_page(file, work, page, limits, budget) {
                Ok((text, cut)) => {
                    entry.text = text;
                    entry.source = TextSource::Ocr;
                    truncated |= cut;
                }
                // What was read so far is kept: the text layer of the rest, and the flag.
                Err(TextError::TimedOut(_)) => {
                    out_of_time = true;
                    truncated = true;
                }
                // One page poppler cannot draw keeps its (thin) text layer.
                Err(TextError::Unreadable { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        pages.push(entry);
    }
    Ok(DocumentText {
        pages,
        page_count,
        truncated,
    })
}

fn has_text(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .nth(MIN_TEXT_CHARS - 1)
        .is_some()
}

/// The page count from `pdfinfo`: also the check that poppler can open the file at all.
fn page_count(file: &Path, work: &Path, budget: &Budget) -> Result<u32, TextError> {
    let out = work.join("info.txt");
    if !run("pdfinfo", &[file.as_os_str()], work, Some(&out), budget)? {
        return Err(UNREADABLE);
    }
    let (info, _) = read_capped(&out, 64 * 1024, "pdfinfo")?;
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or(UNREADABLE)
}

/// The text layer of pages 1..=last, one string per page, and whether the output was cut.
fn text_layer(
    file: &Path,
    work: &Path,
    last: u32,
    limits: &Limits,
    budget: &Budget,
) -> Result<(Vec<String>, bool), TextError> {
    if last == 0 {
        return Ok((Vec::new(), false));
    }
    let out = work.join("layer.txt");
    let last_arg = last.to_string();
    let args = [
        "-layout".as_ref(),
        "-enc".as_ref(),
        "UTF-8".as_ref(),
        "-f".as_ref(),
        "1".as_ref(),
        "-l".as_ref(),
        last_arg.as_ref(),
        file.as_os_str(),
        out.as_os_str(),
    ];
    if !run("pdftotext", &args, work, None, budget)? {
        return Err(UNREADABLE);
    }
    let (text, cut) = read_capped(&out, output_cap(limits, last), "pdftotext")?;
    // A form feed ends every page, the last included.
    let text = text.strip_suffix('\u{c}').unwrap_or(&text);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    pages.resize(usize::try_from(last).unwrap_or(usize::MAX), String::new());
    Ok((pages, cut))
}

/// One page drawn in grey and read by tesseract.
fn ocr_page(
    file: &Path,
    work: &Path,
    page: u32,
    limits: &Limits,
    budget: &Budget,
) -> Result<(String, bool), TextError> {
    let number = page.to_string();
    let base = work.join("page");
    let args = [
        "-gray".as_ref(),
        "-png".as_ref(),
        "-scale-to".as_ref(),
        OCR_RENDER_PX.as_ref(),
        "-singlefile".as_ref(),
        "-f".as_ref(),
        number.as_ref(),
        "-l".as_ref(),
        number.as_ref(),
        file.as_os_str(),
        base.as_os_str(),
    ];
    if !run("pdftoppm", &args, work, None, budget)? {
        return Err(UNREADABLE);
    }
    let png = base.with_extension("png");
    let (texts, cut) = ocr(&png, work, output_cap(limits, 1), budget, &[])?;
    Ok((texts.join("\n"), cut))
}

#[cfg(test)]
mod tests {
    use super::has_text;

    #[test]
    fn a_page_with_a_few_stray_marks_counts_as_a_scan() {
        assert!(!has_text("  . 1 -- ab \n"));
        assert!(has_text("Potassium 4.1"));
    }
}
