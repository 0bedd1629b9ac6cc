//! Renditions made from a document's original, for the processing worker (DESIGN.md §9): a
//! 1600 px preview and a 320 px thumbnail per image page (every page of a TIFF), a PDF's
//! first-page thumbnail and page count, and a perceptual hash for "looks like" duplicates.
//! Synchronous and CPU-bound: the worker calls [`render`] inside `spawn_blocking`, on a file it
//! has downloaded. Memory holds one page at a time, and a page larger than [`Limits`] allow is
//! refused from its header, before its pixels are allocated.

mod command;
mod error;
mod hash;
mod image_pages;
mod jpeg_out;
mod limits;
mod pdf;
mod tiff_pages;

use std::path::Path;

use image::ImageFormat;

pub use error::RenditionError;
pub use hash::{hash_distance, NEAR_DUPLICATE_DISTANCE};
pub use limits::Limits;

/// The preview's width: JPEG quality 80, EXIF orientation applied, never upscaled.
pub const PREVIEW_WIDTH: u32 = 1600;
/// The thumbnail's width (the same JPEG settings).
pub const THUMB_WIDTH: u32 = 320;

#[derive(Clone, Debug)]
pub struct Jpeg {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug)]
pub struct PagePreview {
    pub preview: Jpeg,
    pub thumb: Jpeg,
}

#[derive(Clone, Debug)]
pub struct Renditions {
    /// Images: one entry per page (JPEG/PNG: 1; TIFF: every page, in order). PDFs: empty.
    pub pages: Vec<PagePreview>,
    /// PDFs: the first page's 320 px thumbnail. Images: `None` (`pages[0].thumb` is it).
    pub pdf_thumb: Option<Jpeg>,
    /// Pages in the document (TIFF pages, PDF pages, 1 for JPEG/PNG).
    pub page_count: u32,
    /// Perceptual hash of the first image page (`None` for PDFs), compared by [`hash_distance`].
    pub perceptual_hash: Option<String>,
}

/// Every rendition of the original at `path`, whose type was sniffed upstream as
/// `content_type`; bytes that are not that type are refused, not guessed at.
pub fn render(
    path: &Path,
    content_type: &str,
    limits: &Limits,
) -> Result<Renditions, RenditionError> {
    match content_type {
        "application/pdf" => {
            let (page_count, thumb) = pdf::render(path, limits)?;
            Ok(Renditions {
                pages: Vec::new(),
                pdf_thumb: Some(thumb),
                page_count,
                perceptual_hash: None,
            })
        }
        "image/jpeg" => one_page(path, ImageFormat::Jpeg, limits),
        "image/png" => one_page(path, ImageFormat::Png, limits),
        "image/tiff" => {
            let mut pages = Vec::new();
            let mut perceptual_hash = None;
            let page_count = tiff_pages::for_each_page(path, limits, |page| {
                let (made, preview) = jpeg_out::page_preview(page)?;
                perceptual_hash.get_or_insert_with(|| hash::perceptual_hash(&preview));
                pages.push(made);
                Ok(())
            })?;
            Ok(Renditions {
                pages,
                pdf_thumb: None,
                page_count,
                perceptual_hash,
            })
        }
        _ => Err(RenditionError::UnsupportedType),
    }
}

fn one_page(
    path: &Path,
    format: ImageFormat,
    limits: &Limits,
) -> Result<Renditions, RenditionError> {
    let page = image_pages::decode(path, format, limits)?;
    let (made, preview) = jpeg_out::page_preview(page)?;
    Ok(Renditions {
        pages: vec![made],
        pdf_thumb: None,
        page_count: 1,
        perceptual_hash: Some(hash::perceptual_hash(&preview)),
    })
}
