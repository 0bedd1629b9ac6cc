//! One-page images (JPEG, PNG): decoded once, EXIF orientation applied, as RGB. A large JPEG is
//! shrunk inside its decoder, as libvips does.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};

use crate::{Limits, RenditionError, PREVIEW_WIDTH};

/// The page's pixels, upright. A file that is not the claimed format is refused before
/// decoding, and one that claims more pixels than the limit before allocating them.
pub(crate) fn decode(
    path: &Path,
    format: ImageFormat,
    limits: &Limits,
) -> Result<RgbImage, RenditionError> {
    let claimed = format.to_mime_type();
    let mut reader = ImageReader::open(path)?.with_guessed_format()?;
    if reader.format() != Some(format) {
        return Err(RenditionError::NotWhatItClaims { claimed });
    }
    // The header is read without limits so an oversized page is refused by ours, with its size.
    reader.no_limits();
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| RenditionError::UnreadableImage)?;
    let (width, height) = decoder.dimensions();
    limits.check_page(width, height)?;
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_alloc = Some(limits.max_page_bytes());
    decoder
        .set_limits(decoder_limits)
        .map_err(|_| RenditionError::UnreadableImage)?;
    let orientation = decoder
        .orientation()
        .map_err(|_| RenditionError::UnreadableImage)?;
    let shrunk = (format == ImageFormat::Jpeg)
        .then(|| shrunk_jpeg(path, (width, height), orientation))
        .flatten();
    let mut image = match shrunk {
        Some(image) => image,
        None => DynamicImage::from_decoder(decoder).map_err(|_| RenditionError::UnreadableImage)?,
    };
    image.apply_orientation(orientation);
    // Previews are RGB JPEGs whatever the source (grey, 16-bit, alpha PNG).
    Ok(image.into_rgb8())
}

/// A JPEG at least twice the preview width, decoded at 1/2, 1/4 or 1/8 scale (still at least
/// that wide): the decoder skips most of the inverse DCT and memory. `None` (decode in full
/// instead) for anything this decoder does not take.
pub(crate) fn shrunk_jpeg(
    path: &Path,
    (width, height): (u32, u32),
    orientation: Orientation,
) -> Option<DynamicImage> {
    let turned = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    // The width staff see is the stored height when the camera was turned.
    let shown = if turned { height } else { width };
    if shown < PREVIEW_WIDTH * 2 {
        return None;
    }
    let wanted = |side: u32| {
        u16::try_from((u64::from(side) * u64::from(PREVIEW_WIDTH)).div_ceil(u64::from(shown))).ok()
    };
    let mut decoder = jpeg_decoder::Decoder::new(BufReader::new(File::open(path).ok()?));
    decoder.read_info().ok()?;
    let (w, h) = decoder.scale(wanted(width)?, wanted(height)?).ok()?;
    let pixels = decoder.decode().ok()?;
    let (w, h) = (u32::from(w), u32::from(h));
    match decoder.info()?.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
        }
        // CMYK and 16-bit lossless JPEGs are rare in scans: the full decoder handles them.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jpeg_encoder::{ColorType, Encoder};

    fn camera_jpeg(width: u16, height: u16) -> tempfile::NamedTempFile {
        let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height) * 3)
            .map(|i| (i % 251) as u8)
            .collect();
        let file = tempfile::NamedTempFile::new().unwrap();
        Encoder::new_file(file.path(), 85)
            .unwrap()
            .encode(&pixels, width, height, ColorType::Rgb)
            .unwrap();
        file
    }

    #[test]
    fn a_large_jpeg_is_shrunk_in_its_decoder_to_at_least_the_preview_width() {
        let file = camera_jpeg(3400, 1000);
        let shrunk = shrunk_jpeg(file.path(), (3400, 1000), Orientation::NoTransforms).unwrap();
        assert_eq!((shrunk.width(), shrunk.height()), (1700, 500));
    }

    #[test]
    fn a_turned_photo_is_shrunk_by_the_width_staff_see() {
        // Stored 3400 x 1000 but shown turned: 1000 wide, too narrow to shrink at all.
        let file = camera_jpeg(3400, 1000);
        assert!(shrunk_jpeg(file.path(), (3400, 1000), Orientation::Rotate90).is_none());
    }
}
