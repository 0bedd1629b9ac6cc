//! Files the tests make: photos of a gradient, pictures of typed words (the text crate's
//! fixtures: a PDF drawn by poppler), multi-page TIFFs.

#[path = "../../../../chartdesk-text/tests/extract/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

pub use fixtures::{pdf, tiff, Files, Page};

/// A camera-like JPEG: a smooth colour field with a few shapes, `seed` varying it.
pub fn photo(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let shape = ((x / 97 + y / 89 + seed) % 3) as u8 * 40;
        image::Rgb([
            (x * 255 / width) as u8 ^ shape,
            (y * 255 / height) as u8,
            ((x + y + seed * 50) % 256) as u8 / 2 + shape,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&image)
        .unwrap();
    out.into_inner()
}

/// A PDF carrying the anti-virus test string (in a comment after its end, where a scanner
/// still reads it and a viewer never does).
pub fn pdf_carrying_eicar() -> Vec<u8> {
    let mut bytes = pdf(&[Page::Typed(&["Discharge letter"])]);
    bytes.extend_from_slice(b"\n% ");
    bytes.extend_from_slice(chartdesk_sandbox::launch::scanner::EICAR.as_bytes());
    bytes.extend_from_slice(b"\n");
    bytes
}
