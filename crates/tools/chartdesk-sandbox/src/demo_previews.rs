//! The demo images' previews, written as the processing worker writes them (ARCHITECTURE.md §4):
//! `optimized` 1600 px wide and `thumb` 320 px wide, JPEG quality 80, EXIF orientation applied.
//! Never upscaled. Seeding only: clients send originals and the worker makes every preview, but
//! the demo records are also seeded into in-process stores no worker reads.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};
use jpeg_encoder::{ColorType, Encoder};

const OPTIMIZED_WIDTH: u32 = 1600;
const THUMB_WIDTH: u32 = 320;
const QUALITY: u8 = 80;

pub struct Variants {
    pub optimized: Vec<u8>,
    pub thumb: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("the image could not be read")]
pub struct UnreadableImage;

/// Both variants of an image; a file that does not decode is refused (it is not the image
/// its magic bytes claim).
pub fn make_variants(bytes: &[u8]) -> Result<Variants, UnreadableImage> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| UnreadableImage)?;
    let is_jpeg = reader.format() == Some(ImageFormat::Jpeg);
    let mut decoder = reader.into_decoder().map_err(|_| UnreadableImage)?;
    let orientation = decoder.orientation().map_err(|_| UnreadableImage)?;
    let (width, height) = decoder.dimensions();
    let mut image = match is_jpeg.then(|| shrunk_jpeg(bytes, (width, height), orientation)) {
        Some(Some(image)) => image,
        _ => DynamicImage::from_decoder(decoder).map_err(|_| UnreadableImage)?,
    };
    image.apply_orientation(orientation);
    // Variants are RGB JPEGs whatever the source (grey, 16-bit TIFF, alpha PNG).
    let rgb = image.into_rgb8();
    // The thumbnail is made from the optimized image, not the original: a fifth of the work.
    // The full-size pixels go first, so they never sit in memory beside a copy.
    let optimized = scale(rgb, OPTIMIZED_WIDTH)?;
    let thumb = scale_ref(&optimized, THUMB_WIDTH)?;
    Ok(Variants {
        optimized: jpeg(&optimized)?,
        thumb: jpeg(&thumb)?,
    })
}

/// A JPEG at least twice the optimized width, decoded at 1/2, 1/4 or 1/8 scale (still at
/// least that wide): the decoder skips most of the inverse DCT and memory, as libvips does.
/// `None` (decode in full instead) for anything this decoder does not take.
fn shrunk_jpeg(
    bytes: &[u8],
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
    if shown < OPTIMIZED_WIDTH * 2 {
        return None;
    }
    let wanted = |side: u32| {
        u16::try_from((u64::from(side) * u64::from(OPTIMIZED_WIDTH)).div_ceil(u64::from(shown)))
            .ok()
    };
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
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

/// At most `max_width` wide, never upscaled (an image already narrow enough is kept as is).
fn scale(image: RgbImage, max_width: u32) -> Result<RgbImage, UnreadableImage> {
    if image.width() <= max_width {
        return Ok(image);
    }
    scale_ref(&image, max_width)
}

/// SIMD bilinear convolution whose support grows with the reduction, so no aliasing (about
/// 30x faster than `image`'s Lanczos3). Reads `image` in place: no copy of the source.
fn scale_ref(image: &RgbImage, max_width: u32) -> Result<RgbImage, UnreadableImage> {
    if image.width() <= max_width {
        return Ok(image.clone());
    }
    let height =
        (u64::from(image.height()) * u64::from(max_width) / u64::from(image.width())).max(1) as u32;
    let mut scaled = RgbImage::new(max_width, height);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new()
        .resize(image, &mut scaled, &options)
        .map_err(|_| UnreadableImage)?;
    Ok(scaled)
}

fn jpeg(image: &RgbImage) -> Result<Vec<u8>, UnreadableImage> {
    let (Ok(width), Ok(height)) = (u16::try_from(image.width()), u16::try_from(image.height()))
    else {
        return Err(UnreadableImage);
    };
    let mut out = Vec::new();
    Encoder::new(&mut out, QUALITY)
        .encode(image.as_raw(), width, height, ColorType::Rgb)
        .map_err(|_| UnreadableImage)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbImage;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        RgbImage::new(width, height)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    fn size(jpeg: &[u8]) -> (u32, u32) {
        let img = image::load_from_memory(jpeg).unwrap();
        (img.width(), img.height())
    }

    #[test]
    fn a_wide_image_gets_1600_and_320_pixel_jpeg_variants() {
        let v = make_variants(&png(2000, 1000)).unwrap();
        assert_eq!(size(&v.optimized), (1600, 800));
        assert_eq!(size(&v.thumb), (320, 160));
        assert_eq!(&v.thumb[..3], &[0xFF, 0xD8, 0xFF]);
    }

    fn camera_jpeg(width: u16, height: u16) -> Vec<u8> {
        let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height) * 3)
            .map(|i| (i % 251) as u8)
            .collect();
        let mut out = Vec::new();
        Encoder::new(&mut out, 85)
            .encode(&pixels, width, height, ColorType::Rgb)
            .unwrap();
        out
    }

    #[test]
    fn a_large_jpeg_shrunk_in_the_decoder_still_gets_full_width_variants() {
        // 3400 wide: decoded at 1/2 (1700), then resized to exactly 1600.
        let jpeg = camera_jpeg(3400, 1000);
        let (w, h) = (3400u32, 1000u32);
        let shrunk = shrunk_jpeg(&jpeg, (w, h), Orientation::NoTransforms).unwrap();
        assert_eq!((shrunk.width(), shrunk.height()), (1700, 500));
        let v = make_variants(&jpeg).unwrap();
        assert_eq!(size(&v.optimized), (1600, 470));
        assert_eq!(size(&v.thumb), (320, 94));
    }

    #[test]
    fn a_turned_photo_is_shrunk_by_the_width_staff_see() {
        // Stored 3400 x 1000 but shown turned: 1000 wide, too narrow to shrink at all.
        let jpeg = camera_jpeg(3400, 1000);
        assert!(shrunk_jpeg(&jpeg, (3400, 1000), Orientation::Rotate90).is_none());
    }

    #[test]
    fn a_small_image_is_never_upscaled() {
        let v = make_variants(&png(480, 360)).unwrap();
        assert_eq!(size(&v.optimized), (480, 360));
        assert_eq!(size(&v.thumb), (320, 240));
    }

    #[test]
    fn bytes_that_only_look_like_an_image_are_refused() {
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.resize(256, 0);
        assert!(make_variants(&fake).is_err());
    }
}
