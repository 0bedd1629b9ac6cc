//! Renditions made from a document's original, for the processing worker (DESIGN.md §9): a
//! 1600 px preview and a 320 px thumbnail per image page (every page of a TIFF), a PDF's
//! first-page thumbnail and page count, and a perceptual hash for "looks like" duplicates.
//! Synchronous and CPU-bound: the worker calls [`render`] inside `spawn_blocking`, on a file it
//! has downloaded. Decoded pixels are held one page at a time ([`render_each`] also hands each
//! page's previews over as they are made, so none pile up), and a page larger than [`Limits`]
//! allow is refused from its header, before its pixels are allocated.

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
    let mut pages = Vec::new();
    let mut renditions = render_each(path, content_type, limits, |page| {
        pages.push(page);
        Ok::<_, RenditionError>(())
    })?;
    renditions.pages = pages;
    Ok(renditions)
}

/// As [`render`], but each page's previews go to `each` as soon as they are made, in page
/// order, and are not kept (the answer's `pages` is empty): a long TIFF's previews never all
/// sit in memory, so the caller can store each page before the next is decoded. An error from
/// `each` stops the work there.
pub fn render_each<E: From<RenditionError>>(
    path: &Path,
    content_type: &str,
    limits: &Limits,
    mut each: impl FnMut(PagePreview) -> Result<(), E>,
) -> Result<Renditions, E> {
    let format = match content_type {
        "application/pdf" => {
            let (page_count, thumb) = pdf::render(path, limits)?;
            return Ok(Renditions {
                pages: Vec::new(),
                pdf_thumb: Some(thumb),
                page_count,
                perceptual_hash: None,
            });
        }
        "image/jpeg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        "image/tiff" => ImageFormat::Tiff,
        _ => return Err(RenditionError::UnsupportedType.into()),
    };
    let mut perceptual_hash = None;
    let mut one = |page| -> Result<(), E> {
        let (made, preview) = jpeg_out::page_preview(page)?;
        perceptual_hash.get_or_insert_with(|| hash::perceptual_hash(&preview));
        each(made)
    };
    let page_count = if format == ImageFormat::Tiff {
        tiff_pages::for_each_page(path, limits, &mut one)?
    } else {
        one(image_pages::decode(path, format, limits)?)?;
        1
    };
    Ok(Renditions {
        pages: Vec::new(),
        pdf_thumb: None,
        page_count,
        perceptual_hash,
    })
}
