//! Files the tests make: photo-like images, JPEGs with EXIF, PDFs, multi-page TIFFs.

use std::io::Cursor;
use std::path::PathBuf;

use image::{ImageFormat, RgbImage};
use jpeg_encoder::{ColorType, Encoder};

/// A file in its own temporary folder (removed when the value drops).
pub struct TempFile {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn write(bytes: &[u8]) -> TempFile {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("original");
    std::fs::write(&path, bytes).unwrap();
    TempFile { _dir: dir, path }
}

/// Smooth, photo-like content (sums of waves): a seed gives a different "photo".
pub fn photo(width: u32, height: u32, seed: u32) -> RgbImage {
    let s = seed as f32;
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let wave = |a: f32, b: f32, p: f32| ((a * u + b * v) * std::f32::consts::TAU + p).sin();
        let r = wave(1.0 + s, 2.0, s) + 0.5 * wave(3.0, 1.0 + s * 0.7, 1.0);
        let g = wave(2.0, 1.0 + s * 1.3, 2.0 * s) + 0.5 * wave(0.5 + s, 3.0, 0.3);
        let b = wave(1.5 + s * 0.5, 0.5, 0.7 * s);
        let px = |c: f32| (128.0 + 80.0 * c).clamp(0.0, 255.0) as u8;
        image::Rgb([px(r), px(g), px(b)])
    })
}

/// A typed-page look: white paper with black "lines of text" whose lengths follow `seed`.
pub fn typed_page(seed: u32) -> RgbImage {
    let line_length = |line: u32| 300 + (line * 7919 + seed * 104_729) % 900;
    RgbImage::from_fn(1240, 1754, |x, y| {
        let line = y / 60;
        let in_line = (200..1550).contains(&y) && y % 60 < 24;
        let ink = in_line && (100..100 + line_length(line)).contains(&x);
        image::Rgb(if ink { [0, 0, 0] } else { [255, 255, 255] })
    })
}

pub fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    jpeg_with(image, quality, None)
}

/// A camera's JPEG: an APP1 EXIF segment whose one tag is the orientation.
pub fn jpeg_with(image: &RgbImage, quality: u8, orientation: Option<u16>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, quality);
    if let Some(o) = orientation {
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        exif.extend_from_slice(&o.to_be_bytes());
        exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        encoder.add_app_segment(1, &exif).unwrap();
    }
    let (w, h) = (image.width() as u16, image.height() as u16);
    encoder
        .encode(image.as_raw(), w, h, ColorType::Rgb)
        .unwrap();
    out
}

pub fn decode(jpeg: &[u8]) -> RgbImage {
    assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    image::load_from_memory(jpeg).unwrap().into_rgb8()
}

/// Mean absolute difference per channel between two images of one size.
pub fn mean_difference(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

/// A fax-style page: 1 bit per pixel, WhiteIsZero (a set bit is black), `width` a multiple of
/// 8; black on its left half. Written by hand: the tiff encoder writes 8 bits and up only.
pub fn bilevel_tiff(width: u16, height: u16) -> Vec<u8> {
    let row_bytes = usize::from(width / 8);
    let row: Vec<u8> = (0..row_bytes)
        .map(|i| if i < row_bytes / 2 { 0xFF } else { 0x00 })
        .collect();
    let strip: Vec<u8> = row.repeat(usize::from(height));
    // (tag, type: 3 SHORT or 4 LONG, value)
    let entries: [(u16, u16, u32); 9] = [
        (256, 3, u32::from(width)),
        (257, 3, u32::from(height)),
        (258, 3, 1),
        (259, 3, 1),
        (262, 3, 0),
        (273, 4, 8 + 2 + 9 * 12 + 4),
        (277, 3, 1),
        (278, 3, u32::from(height)),
        (279, 4, strip.len() as u32),
    ];
    let mut out = b"II*\0\x08\0\0\0".to_vec();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&strip);
    out
}
