//! A page's previews: the 1600 px JPEG and the 320 px thumbnail, quality 80, never upscaled.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use jpeg_encoder::{ColorType, Encoder};

use crate::{Jpeg, PagePreview, RenditionError, PREVIEW_WIDTH, THUMB_WIDTH};

const QUALITY: u8 = 80;

/// Both previews of one page, and the preview's pixels (the perceptual hash is taken from
/// them). The full-size pixels are dropped first, so they never sit in memory beside a copy.
pub(crate) fn page_preview(page: RgbImage) -> Result<(PagePreview, RgbImage), RenditionError> {
    let preview = scale(page, PREVIEW_WIDTH)?;
    // The thumbnail is made from the preview, not the original: a fifth of the work.
    let thumb = scale_ref(&preview, THUMB_WIDTH)?;
    let out = PagePreview {
        preview: jpeg(&preview)?,
        thumb: jpeg(&thumb)?,
    };
    Ok((out, preview))
}

/// At most `max_width` wide, never upscaled (an image already narrow enough is kept as is).
pub(crate) fn scale(image: RgbImage, max_width: u32) -> Result<RgbImage, RenditionError> {
    if image.width() <= max_width {
        return Ok(image);
    }
    scale_ref(&image, max_width)
}

/// SIMD bilinear convolution whose support grows with the reduction, so no aliasing (about
/// 30x faster than `image`'s Lanczos3). Reads `image` in place: no copy of the source.
fn scale_ref(image: &RgbImage, max_width: u32) -> Result<RgbImage, RenditionError> {
    if image.width() <= max_width {
        return Ok(image.clone());
    }
    let height =
        (u64::from(image.height()) * u64::from(max_width) / u64::from(image.width())).max(1);
    let height = u32::try_from(height).map_err(|_| RenditionError::UnreadableImage)?;
    let mut scaled = RgbImage::new(max_width, height);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new()
        .resize(image, &mut scaled, &options)
        .map_err(|_| RenditionError::UnreadableImage)?;
    Ok(scaled)
}

/// JPEG's sides are 16-bit: a taller page (a very long strip scan) is refused, not cropped.
pub(crate) fn jpeg(image: &RgbImage) -> Result<Jpeg, RenditionError> {
    let (Ok(width), Ok(height)) = (u16::try_from(image.width()), u16::try_from(image.height()))
    else {
        return Err(RenditionError::UnreadableImage);
    };
    let mut bytes = Vec::new();
    Encoder::new(&mut bytes, QUALITY)
        .encode(image.as_raw(), width, height, ColorType::Rgb)
        .map_err(|_| RenditionError::UnreadableImage)?;
    Ok(Jpeg {
        bytes,
        width: image.width(),
        height: image.height(),
    })
}
