//! Small real demo files made in code: a JPEG "scan", a greyscale TIFF page scan and a
//! one-page PDF report.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::tiff::TiffEncoder;
use image::{GrayImage, Luma, Rgb, RgbImage};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// A 480×360 JPEG with a gradient and a frame, tinted by `seed` so documents differ.
pub fn demo_jpeg(seed: u8) -> Vec<u8> {
    let img = RgbImage::from_fn(480, 360, |x, y| {
        let frame = x < 8 || y < 8 || x >= 472 || y >= 352;
        if frame {
            return Rgb([0, 94, 184]);
        }
        let r = (x * 255 / 480) as u8;
        let g = (y * 255 / 360) as u8;
        Rgb([r, g, seed.wrapping_mul(37)])
    });
    let mut out = Vec::new();
    // Encoding into a Vec cannot fail for an RGB8 image of this size.
    let _ = JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img);
    out
}

/// Width of the demo TIFF: wider than the optimized rendition, so opening it shows the 1600 px
/// JPEG, not the original.
pub const DEMO_TIFF_WIDTH: u32 = 1700;

/// A greyscale page scan as a ward scanner saves it (uncompressed TIFF, 1700 × 2200, lines of
/// "text" in a frame): the format web views cannot draw, so staff see its optimized JPEG.
pub fn demo_tiff(seed: u8) -> Vec<u8> {
    let (w, h) = (DEMO_TIFF_WIDTH, 2200);
    let img = GrayImage::from_fn(w, h, |x, y| {
        let frame = x < 40 || y < 40 || x >= w - 40 || y >= h - 40;
        // Lines of "text": 28 px bars every 64 px, of a length set by the line and the seed.
        let line = y / 64;
        let length = 600 + (line * 97 + u32::from(seed) * 31) % 900;
        let text = y > 160 && y % 64 < 28 && x > 120 && x < 120 + length;
        Luma([if frame {
            60
        } else if text {
            40
        } else {
            245
        }])
    });
    let mut out = Cursor::new(Vec::new());
    // Encoding an 8-bit grey image into memory cannot fail.
    let _ = img.write_with_encoder(TiffEncoder::new(&mut out));
    out.into_inner()
}

/// A camera-sized scan (1800 × 1350, JPEG quality 92) of smooth shading plus sensor-like
/// noise: about 2 MB, the worst case for variants and transfer. For benchmarks.
pub fn demo_scan(seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let img = RgbImage::from_fn(1800, 1350, |x, y| {
        // xorshift: cheap, deterministic noise.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = state & 0x3f;
        let r = (x * 200 / 1800 + n) as u8;
        let g = (y * 200 / 1350 + n) as u8;
        let b = ((x + y) * 100 / 3150 + n * 2) as u8;
        Rgb([r, g, b])
    });
    let mut out = Vec::new();
    let _ = JpegEncoder::new_with_quality(&mut out, 92).encode_image(&img);
    out
}

/// A one-page A4 PDF with a title and a line of text (Helvetica, no embedded fonts).
pub fn demo_pdf(title: &str, line: &str) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let page_id = Ref::new(3);
    let font = Ref::new(4);
    let contents = Ref::new(5);
    let font_name = Name(b"F1");

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    page.parent(tree);
    page.contents(contents);
    page.resources().fonts().pair(font_name, font);
    page.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica"));

    let mut content = Content::new();
    content.begin_text();
    content.set_font(font_name, 20.0);
    content.next_line(72.0, 760.0);
    content.show(Str(title.as_bytes()));
    content.set_font(font_name, 12.0);
    content.next_line(0.0, -32.0);
    content.show(Str(line.as_bytes()));
    content.end_text();
    pdf.stream(contents, &content.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_files_have_the_right_magic_bytes() {
        let jpeg = demo_jpeg(1);
        assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF]);
        let tiff = demo_tiff(1);
        assert_eq!(&tiff[..4], b"II*\0");
        assert_eq!(chartdesk_domain::sniff(&tiff), Some("image/tiff"));
        let pdf = demo_pdf("Lab report", "Demo");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
    }
}
