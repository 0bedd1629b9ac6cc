//! A PDF's page count (`pdfinfo`) and first-page thumbnail (`pdftoppm`, rendered straight at
//! the thumbnail's width, then encoded by our own encoder at our quality). The path passed is
//! the worker's own temporary file, never a name a user chose.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use image::ImageFormat;

use crate::{image_pages, jpeg_out, Jpeg, Limits, RenditionError, THUMB_WIDTH};

/// The page count and the first page's thumbnail.
pub(crate) fn render(path: &Path, limits: &Limits) -> Result<(u32, Jpeg), RenditionError> {
    let mut head = [0u8; 5];
    let is_pdf = std::fs::File::open(path)?.read_exact(&mut head).is_ok() && &head == b"%PDF-";
    if !is_pdf {
        return Err(RenditionError::NotWhatItClaims {
            claimed: "application/pdf",
        });
    }
    let path = not_an_option(path);
    let pages = page_count(&path, limits)?;
    let dir = tempfile::tempdir()?;
    let prefix = dir.path().join("page");
    let mut pdftoppm = Command::new("pdftoppm");
    pdftoppm
        .args(["-f", "1", "-l", "1", "-singlefile", "-png"])
        .args(["-scale-to-x", &THUMB_WIDTH.to_string(), "-scale-to-y", "-1"])
        .arg(&path)
        .arg(&prefix);
    crate::command::run(&mut pdftoppm, limits.tool_timeout)?;
    let rendered = prefix.with_extension("png");
    let page = image_pages::decode(&rendered, ImageFormat::Png, limits)
        .map_err(|_| RenditionError::BrokenPdf)?;
    let thumb = jpeg_out::scale(page, THUMB_WIDTH)?;
    Ok((pages, jpeg_out::jpeg(&thumb)?))
}

fn page_count(path: &Path, limits: &Limits) -> Result<u32, RenditionError> {
    let out = crate::command::run(Command::new("pdfinfo").arg(path), limits.tool_timeout)?;
    String::from_utf8_lossy(&out)
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .filter(|&n: &u32| n > 0)
        .ok_or(RenditionError::BrokenPdf)
}

/// A relative path starting with `-` would be read as an option: anchor it.
fn not_an_option(path: &Path) -> PathBuf {
    if path.is_relative() {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    }
}
