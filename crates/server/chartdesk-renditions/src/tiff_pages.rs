//! Every page of a TIFF, decoded one at a time (a 300-page fax holds one page in memory), in
//! file order. Reduced-resolution copies (a scanner's own thumbnails) are not pages.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageBuffer, RgbImage};
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;
use tiff::ColorType;

use crate::{Limits, RenditionError};

const CLAIMED: RenditionError = RenditionError::NotWhatItClaims {
    claimed: "image/tiff",
};

/// Calls `each` with every page's upright RGB pixels, in order; returns the page count.
pub(crate) fn for_each_page<E: From<RenditionError>>(
    path: &Path,
    limits: &Limits,
    mut each: impl FnMut(RgbImage) -> Result<(), E>,
) -> Result<u32, E> {
    let file = BufReader::new(File::open(path).map_err(RenditionError::from)?);
    let mut decoder = Decoder::new(file).map_err(|_| CLAIMED)?;
    let mut tiff_limits = tiff::decoder::Limits::default();
    tiff_limits.decoding_buffer_size =
        usize::try_from(limits.max_page_bytes()).unwrap_or(usize::MAX);
    decoder = decoder.with_limits(tiff_limits);
    let mut pages = 0u32;
    loop {
        if !is_reduced_copy(&mut decoder) {
            pages += 1;
            if pages > limits.max_pages {
                return Err(RenditionError::TooManyPages {
                    max: limits.max_pages,
                }
                .into());
            }
            each(page(&mut decoder, limits)?)?;
        }
        if !decoder.more_images() {
            return Ok(pages);
        }
        decoder
            .next_image()
            .map_err(|_| RenditionError::UnreadableImage)?;
    }
}

/// NewSubfileType bit 0: a reduced-resolution version of another page.
fn is_reduced_copy(decoder: &mut Decoder<BufReader<File>>) -> bool {
    matches!(decoder.find_tag_unsigned::<u32>(Tag::NewSubfileType), Ok(Some(kind)) if kind & 1 == 1)
}

fn page(
    decoder: &mut Decoder<BufReader<File>>,
    limits: &Limits,
) -> Result<RgbImage, RenditionError> {
    let (width, height) = decoder
        .dimensions()
        .map_err(|_| RenditionError::UnreadableImage)?;
    limits.check_page(width, height)?;
    let colour = decoder
        .colortype()
        .map_err(|_| RenditionError::UnreadableImage)?;
    let orientation = decoder
        .find_tag_unsigned::<u8>(Tag::Orientation)
        .ok()
        .flatten()
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::NoTransforms);
    let mut pixels = DecodingResult::U8(Vec::new());
    let layout = decoder
        .read_image_to_buffer(&mut pixels)
        .map_err(|_| RenditionError::UnreadableImage)?;
    // Planar (one plane per channel) pages are rare in scans and fax: refused, not guessed.
    if layout.planes > 1 {
        return Err(RenditionError::UnsupportedColour);
    }
    let mut image = to_dynamic(width, height, colour, pixels)?;
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
}

fn to_dynamic(
    width: u32,
    height: u32,
    colour: ColorType,
    pixels: DecodingResult,
) -> Result<DynamicImage, RenditionError> {
    let image = match (colour, pixels) {
        (ColorType::Gray(1), DecodingResult::U8(bits)) => {
            ImageBuffer::from_raw(width, height, expand_bits(width, &bits))
                .map(DynamicImage::ImageLuma8)
        }
        (ColorType::Gray(8), DecodingResult::U8(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageLuma8)
        }
        (ColorType::Gray(16), DecodingResult::U16(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageLuma16)
        }
        (ColorType::GrayA(8), DecodingResult::U8(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageLumaA8)
        }
        (ColorType::GrayA(16), DecodingResult::U16(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageLumaA16)
        }
        (ColorType::RGB(8), DecodingResult::U8(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageRgb8)
        }
        (ColorType::RGB(16), DecodingResult::U16(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageRgb16)
        }
        (ColorType::RGBA(8), DecodingResult::U8(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageRgba8)
        }
        (ColorType::RGBA(16), DecodingResult::U16(p)) => {
            ImageBuffer::from_raw(width, height, p).map(DynamicImage::ImageRgba16)
        }
        (ColorType::CMYK(8), DecodingResult::U8(p)) => {
            ImageBuffer::from_raw(width, height, cmyk_to_rgb(&p)).map(DynamicImage::ImageRgb8)
        }
        _ => return Err(RenditionError::UnsupportedColour),
    };
    // A buffer shorter than its page (a truncated strip) decodes to nothing, not to garbage.
    image.ok_or(RenditionError::UnreadableImage)
}

/// 1-bit rows (each padded to a byte) as 8-bit grey: 0 black, 255 white.
fn expand_bits(width: u32, packed: &[u8]) -> Vec<u8> {
    let width = width as usize;
    packed
        .chunks(width.div_ceil(8))
        .flat_map(|row| {
            (0..width).map(move |x| {
                let bit = (row.get(x / 8).copied().unwrap_or(0) >> (7 - x % 8)) & 1;
                bit * 255
            })
        })
        .collect()
}

/// The naive conversion image's own TIFF decoder uses: no colour profile.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u16::from(p[3]);
            [p[0], p[1], p[2]].map(|c| ((255 - u16::from(c)) * k / 255) as u8)
        })
        .collect()
}
