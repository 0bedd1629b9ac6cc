//! Image variants beside the original (DESIGN.md §3): `optimized` 1600 px wide and `thumb`
//! 320 px wide, JPEG quality 80, EXIF orientation applied. Never upscaled. CPU-bound: callers
//! run it off the async workers (`spawn_blocking`).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader};

pub const OPTIMIZED_WIDTH: u32 = 1600;
pub const THUMB_WIDTH: u32 = 320;
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
    let mut decoder = reader.into_decoder().map_err(|_| UnreadableImage)?;
    let orientation = decoder.orientation().map_err(|_| UnreadableImage)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| UnreadableImage)?;
    image.apply_orientation(orientation);
    Ok(Variants {
        optimized: jpeg(&image, OPTIMIZED_WIDTH)?,
        thumb: jpeg(&image, THUMB_WIDTH)?,
    })
}

fn jpeg(image: &DynamicImage, max_width: u32) -> Result<Vec<u8>, UnreadableImage> {
    let scaled = if image.width() > max_width {
        image.resize(max_width, u32::MAX, FilterType::Lanczos3)
    } else {
        image.clone()
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&scaled.to_rgb8())
        .map_err(|_| UnreadableImage)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};

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
