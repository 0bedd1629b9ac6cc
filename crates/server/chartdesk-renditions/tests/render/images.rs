//! JPEG and PNG originals: one page, previews at 1600 and 320 px.

use chartdesk_renditions::{render, Limits, RenditionError};
use image::imageops::{self, FilterType};
use image::RgbImage;

use crate::fixtures::{self, decode, mean_difference, photo, write};

fn render_png(image: &RgbImage) -> chartdesk_renditions::Renditions {
    let file = write(&fixtures::png(image));
    render(&file.path, "image/png", &Limits::default()).unwrap()
}

#[test]
fn a_wide_image_gets_1600_and_320_pixel_jpeg_previews() {
    let r = render_png(&RgbImage::new(2000, 1000));
    assert_eq!((r.page_count, r.pages.len()), (1, 1));
    let page = &r.pages[0];
    assert_eq!((page.preview.width, page.preview.height), (1600, 800));
    assert_eq!((page.thumb.width, page.thumb.height), (320, 160));
    assert_eq!(decode(&page.preview.bytes).dimensions(), (1600, 800));
    assert_eq!(decode(&page.thumb.bytes).dimensions(), (320, 160));
    assert!(r.pdf_thumb.is_none());
    assert!(r.perceptual_hash.is_some());
}

#[test]
fn the_previews_are_made_from_the_original() {
    let original = photo(3000, 2000, 1);
    let r = render_png(&original);
    for jpeg in [&r.pages[0].preview, &r.pages[0].thumb] {
        let shown = decode(&jpeg.bytes);
        let expected = imageops::resize(
            &original,
            shown.width(),
            shown.height(),
            FilterType::Triangle,
        );
        let diff = mean_difference(&shown, &expected);
        assert!(
            diff < 3.0,
            "{}px differs from the original by {diff}",
            shown.width()
        );
        // Another image at that size is far off: the comparison can tell.
        let other = imageops::resize(
            &photo(3000, 2000, 2),
            shown.width(),
            shown.height(),
            FilterType::Triangle,
        );
        assert!(mean_difference(&shown, &other) > 20.0);
    }
}

#[test]
fn a_large_jpeg_shrunk_in_the_decoder_still_gets_full_width_previews() {
    // 3400 wide: decoded at 1/2 (1700), then resized to exactly 1600.
    let original = photo(3400, 1000, 3);
    let file = write(&fixtures::jpeg(&original, 90));
    let r = render(&file.path, "image/jpeg", &Limits::default()).unwrap();
    let shown = decode(&r.pages[0].preview.bytes);
    assert_eq!(shown.dimensions(), (1600, 470));
    assert_eq!(decode(&r.pages[0].thumb.bytes).dimensions(), (320, 94));
    let expected = imageops::resize(&original, 1600, 470, FilterType::Triangle);
    assert!(mean_difference(&shown, &expected) < 3.0);
}

#[test]
fn a_small_image_is_never_upscaled() {
    let r = render_png(&RgbImage::new(480, 360));
    let page = &r.pages[0];
    assert_eq!(decode(&page.preview.bytes).dimensions(), (480, 360));
    assert_eq!(decode(&page.thumb.bytes).dimensions(), (320, 240));
    let tiny = render_png(&RgbImage::new(200, 100));
    assert_eq!(decode(&tiny.pages[0].thumb.bytes).dimensions(), (200, 100));
}

#[test]
fn a_camera_photo_is_turned_upright_by_its_exif_orientation() {
    // Stored 400 x 200 with a red left half; orientation 6 means "turn 90 degrees clockwise".
    let stored = RgbImage::from_fn(400, 200, |x, _| {
        image::Rgb(if x < 200 { [255, 0, 0] } else { [0, 0, 255] })
    });
    let file = write(&fixtures::jpeg_with(&stored, 95, Some(6)));
    let r = render(&file.path, "image/jpeg", &Limits::default()).unwrap();
    let shown = decode(&r.pages[0].preview.bytes);
    assert_eq!(shown.dimensions(), (200, 400));
    // Turned clockwise, the stored left half is now the top.
    assert!(shown.get_pixel(100, 20)[0] > 200, "red on top");
    assert!(shown.get_pixel(100, 380)[2] > 200, "blue below");
}

#[test]
fn a_decompression_bomb_is_refused_before_it_is_decoded() {
    // A few dozen bytes claiming 100000 x 100000 pixels (30 GB decoded): a header and the
    // start of its compressed pixels (one zero byte, stored).
    let mut bomb = Vec::new();
    let mut encoder = png::Encoder::new(&mut bomb, 100_000, 100_000);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    let zlib = [
        0x78, 0x01, 0x01, 0x01, 0x00, 0xfe, 0xff, 0x00, 0x00, 0x01, 0x00, 0x01,
    ];
    writer.write_chunk(png::chunk::IDAT, &zlib).unwrap();
    drop(writer);
    assert!(bomb.len() < 1000);
    let file = write(&bomb);
    let err = render(&file.path, "image/png", &Limits::default()).unwrap_err();
    assert!(
        matches!(
            err,
            RenditionError::TooLarge {
                width: 100_000,
                height: 100_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("too large"));
}

#[test]
fn bytes_that_are_not_the_claimed_type_are_refused() {
    let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
    fake.resize(256, 0);
    let fake = write(&fake);
    assert!(render(&fake.path, "image/jpeg", &Limits::default()).is_err());
    // A real PNG sent as a JPEG, and as a TIFF, is not what it claims.
    let png = write(&fixtures::png(&RgbImage::new(10, 10)));
    for claimed in ["image/jpeg", "image/tiff", "application/pdf"] {
        let err = render(&png.path, claimed, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, RenditionError::NotWhatItClaims { .. }),
            "{claimed}: {err:?}"
        );
    }
    let err = render(&png.path, "text/plain", &Limits::default()).unwrap_err();
    assert!(matches!(err, RenditionError::UnsupportedType));
}
