//! A document's text, for search: a PDF's text layer, OCR (tesseract, English) for images and
//! image-only PDF pages, and the one matcher that answers a search over it.
//!
//! `extract` is blocking (it runs poppler and tesseract as child processes): call it from
//! `spawn_blocking`. Its result is stored as JSON, one object per document.

mod command;
mod dates;
mod error;
mod matcher;
mod ocr;
mod pdf;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use command::Budget;
pub use error::TextError;
pub use matcher::{find, matches_field, Found, Place, Query};

/// Where a page's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    TextLayer,
    Ocr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageText {
    /// 1-based, as staff count pages.
    pub page: u32,
    pub text: String,
    pub source: TextSource,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentText {
    /// The pages read, in order: every page up to the limits, empty text included.
    pub pages: Vec<PageText>,
    /// Pages in the file: a PDF's from poppler, a TIFF's from its directories, otherwise the
    /// pages tesseract read.
    pub page_count: u32,
    /// True when the limits stopped the work: pages beyond `max_pages`; a PDF's image-only pages
    /// beyond `ocr_max_pages` or past the time budget (kept as their text layer, however thin);
    /// a TIFF's pages beyond `ocr_max_pages` or past the budget (left out); or a page's text cut
    /// at `max_page_bytes`.
    pub truncated: bool,
}

/// Bounds on one document's work.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_pages: u32,
    pub ocr_max_pages: u32,
    /// For the whole document, across every tool it needs; a tool still running is killed.
    pub timeout: Duration,
    pub max_page_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: 300,
            ocr_max_pages: 50,
            timeout: Duration::from_secs(300),
            max_page_bytes: 64 * 1024,
        }
    }
}

/// Reads the text of the file at `path` (ours, already downloaded), of the checked
/// `content_type`: `application/pdf`, `image/jpeg`, `image/png` or `image/tiff`. The tools work
/// in a folder made beside `path`, removed before this returns.
pub fn extract(
    path: &Path,
    content_type: &str,
    limits: &Limits,
) -> Result<DocumentText, TextError> {
    enum Kind {
        Pdf,
        Image,
        Tiff,
    }
    let kind = match content_type {
        "application/pdf" => Kind::Pdf,
        "image/jpeg" | "image/png" => Kind::Image,
        "image/tiff" => Kind::Tiff,
        _ => return Err(TextError::Unsupported),
    };
    // Beside the file: in the caller's scratch folder, which the caller cleans up even if this
    // process is killed mid-document (the worker sweeps its own).
    let work = tempfile::Builder::new()
        .prefix("text-")
        .tempdir_in(beside(path))
        .map_err(|source| TextError::Io {
            tool: "temp dir",
            source,
        })?;
    let file = not_an_option(path);
    let budget = Budget::new(limits.timeout);
    let mut text = match kind {
        Kind::Pdf => pdf::extract(&file, work.path(), limits, &budget)?,
        Kind::Image => ocr::extract_image(&file, work.path(), limits, &budget, false)?,
        Kind::Tiff => ocr::extract_image(&file, work.path(), limits, &budget, true)?,
    };
    for page in &mut text.pages {
        text.truncated |= tidy(&mut page.text, limits.max_page_bytes);
    }
    Ok(text)
}

/// The folder `path` is in ("." for a bare file name).
fn beside(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A relative path starting with `-` would be read as a tool's option.
fn not_an_option(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        Path::new(".").join(path)
    }
}

/// Drops the layout's trailing spaces and blank tail, and caps the page at `max_bytes` (on a
/// character boundary). True when text was cut.
fn tidy(text: &mut String, max_bytes: usize) -> bool {
    let mut tidied: String = text
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    tidied.truncate(tidied.trim_end().len());
    let cut = tidied.len() > max_bytes;
    if cut {
        let end = (0..=max_bytes)
            .rev()
            .find(|&i| tidied.is_char_boundary(i))
            .unwrap_or(0);
        tidied.truncate(end);
    }
    *text = tidied;
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_cut_at_the_byte_cap_on_a_character_boundary() {
        let mut text = "é".repeat(10);
        assert!(tidy(&mut text, 5), "20 bytes are over a 5-byte cap");
        assert_eq!(text, "éé", "cut before the third é, not inside it");
    }

    #[test]
    fn layout_padding_is_dropped_and_short_pages_are_not_cut() {
        let mut text = String::from("Potassium   4.1   \n\n  Sodium 140  \n\n\n");
        assert!(!tidy(&mut text, 1024));
        assert_eq!(text, "Potassium   4.1\n\n  Sodium 140");
    }

    #[test]
    fn a_file_of_another_kind_is_refused_before_any_tool_runs() {
        let err = extract(Path::new("/nonexistent"), "text/plain", &Limits::default());
        assert!(matches!(err, Err(TextError::Unsupported)), "{err:?}");
    }

    #[test]
    fn stored_text_reads_back_as_written_with_its_source_in_snake_case() {
        let text = DocumentText {
            pages: vec![PageText {
                page: 1,
                text: "Discharge summary".into(),
                source: TextSource::Ocr,
            }],
            page_count: 1,
            truncated: false,
        };
        let json = serde_json::to_string(&text).unwrap();
        assert!(json.contains(r#""source":"ocr""#), "{json}");
        assert_eq!(serde_json::from_str::<DocumentText>(&json).unwrap(), text);
    }
}
