//! What one document may cost: pixels per page, pages, and time in poppler's commands. Checked
//! from the headers before any pixel is allocated, so a decompression bomb is refused cheaply.

use std::time::Duration;

use crate::RenditionError;

#[derive(Clone, Debug)]
pub struct Limits {
    /// Decoded pixels per page (width x height).
    pub max_pixels: u64,
    /// Pages of a TIFF.
    pub max_pages: u32,
    /// How long `pdfinfo` or `pdftoppm` may run before it is killed.
    pub tool_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: 100_000_000,
            max_pages: 500,
            tool_timeout: Duration::from_secs(60),
        }
    }
}

impl Limits {
    /// Refuses a page whose decoded pixels would exceed the limit.
    pub(crate) fn check_page(&self, width: u32, height: u32) -> Result<(), RenditionError> {
        if u64::from(width) * u64::from(height) > self.max_pixels {
            return Err(RenditionError::TooLarge {
                width,
                height,
                max_megapixels: self.max_pixels / 1_000_000,
            });
        }
        Ok(())
    }

    /// Bytes the largest allowed page may take decoded (4 channels of 16 bits), for the
    /// decoders' own allocation limits: a second fence behind `check_page`.
    pub(crate) fn max_page_bytes(&self) -> u64 {
        self.max_pixels.saturating_mul(8)
    }
}
