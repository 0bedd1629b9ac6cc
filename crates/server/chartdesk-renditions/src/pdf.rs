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
    let info = Info::read(&path, limits)?;
    // pdftoppm draws the page THUMB_WIDTH wide before turning it: a very tall, thin page would
    // be drawn millions of pixels tall. Refused from its size, like an image's header.
    let drawn_height = (f64::from(THUMB_WIDTH) * info.height / info.width).ceil();
    if drawn_height.is_nan() || drawn_height < 1.0 {
        return Err(RenditionError::BrokenPdf);
    }
    limits.check_page(THUMB_WIDTH, drawn_height.min(f64::from(u32::MAX)) as u32)?;
    // Beside the file, in the caller's scratch folder (which the worker sweeps if killed).
    let dir = tempfile::Builder::new()
        .prefix("pages-")
        .tempdir_in(path.parent().unwrap_or(Path::new(".")))?;
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
    // A page turned by /Rotate comes out wider than asked: scaled again to the width.
    let thumb = jpeg_out::scale(page, THUMB_WIDTH)?;
    Ok((info.pages, jpeg_out::jpeg(&thumb)?))
}

/// What `pdfinfo` says: the page count and the first page's size in points (before any turn).
struct Info {
    pages: u32,
    width: f64,
    height: f64,
}

impl Info {
    fn read(path: &Path, limits: &Limits) -> Result<Info, RenditionError> {
        let out = crate::command::run(Command::new("pdfinfo").arg(path), limits.tool_timeout)?;
        Info::parse(&String::from_utf8_lossy(&out)).ok_or(RenditionError::BrokenPdf)
    }

    fn parse(text: &str) -> Option<Info> {
        let field = |name: &str| text.lines().find_map(|line| line.strip_prefix(name));
        let pages = field("Pages:")?
            .trim()
            .parse()
            .ok()
            .filter(|&n: &u32| n > 0)?;
        // "Page size:       595.276 x 841.89 pts (A4)"
        let mut size = field("Page size:")?.split_whitespace();
        let width: f64 = size.next()?.parse().ok()?;
        let height: f64 = size.nth(1)?.parse().ok()?;
        (width > 0.0 && height > 0.0).then_some(Info {
            pages,
            width,
            height,
        })
    }
}

/// A relative path starting with `-` would be read as an option: anchor it.
fn not_an_option(path: &Path) -> PathBuf {
    if path.is_relative() {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    }
}
