//! Multi-page TIFFs (scanners, fax): every page previewed, in order.

use std::io::Cursor;

use chartdesk_renditions::{render, render_each, Limits, RenditionError};
use image::imageops::{self, FilterType};
use image::GrayImage;
use tiff::encoder::{colortype, TiffEncoder};

use crate::fixtures::{decode, mean_difference, photo, write};

/// Page 1 an RGB photo 2000 x 1000, page 2 a grey 800 x 600, page 3 an RGB 1700 x 2200.
fn three_pages() -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut tiff = TiffEncoder::new(&mut out).unwrap();
    // Each write_image is one more page, chained after the last.
    tiff.write_image::<colortype::RGB8>(2000, 1000, photo(2000, 1000, 4).as_raw())
        .unwrap();
    let grey = GrayImage::from_fn(800, 600, |x, _| image::Luma([(x % 256) as u8]));
    tiff.write_image::<colortype::Gray8>(800, 600, grey.as_raw())
        .unwrap();
    tiff.write_image::<colortype::RGB8>(1700, 2200, photo(1700, 2200, 5).as_raw())
        .unwrap();
    out.into_inner()
}

#[test]
fn a_three_page_tiff_gives_three_page_previews_in_order() {
    let file = write(&three_pages());
    let r = render(&file.path, "image/tiff", &Limits::default()).unwrap();
    assert_eq!((r.page_count, r.pages.len()), (3, 3));
    let sizes: Vec<_> = r
        .pages
        .iter()
        .map(|p| {
            (
                decode(&p.preview.bytes).dimensions(),
                decode(&p.thumb.bytes).dimensions(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ((1600, 800), (320, 160)),
            ((800, 600), (320, 240)),
            ((1600, 2070), (320, 414)),
        ]
    );
    // Page 3 is page 3 of the original, not a copy of page 1.
    let expected = imageops::resize(&photo(1700, 2200, 5), 1600, 2070, FilterType::Triangle);
    assert!(mean_difference(&decode(&r.pages[2].preview.bytes), &expected) < 3.0);
    assert!(r.perceptual_hash.is_some());
}

#[test]
fn a_tiff_with_more_pages_than_the_limit_is_refused() {
    let file = write(&three_pages());
    let limits = Limits {
        max_pages: 2,
        ..Limits::default()
    };
    let err = render(&file.path, "image/tiff", &limits).unwrap_err();
    assert!(
        matches!(err, RenditionError::TooManyPages { max: 2 }),
        "{err:?}"
    );
}

#[test]
fn a_tiff_page_over_the_pixel_limit_is_refused() {
    let file = write(&three_pages());
    let limits = Limits {
        max_pixels: 1_000_000,
        ..Limits::default()
    };
    let err = render(&file.path, "image/tiff", &limits).unwrap_err();
    assert!(
        matches!(
            err,
            RenditionError::TooLarge {
                width: 2000,
                height: 1000,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn render_each_hands_over_every_page_in_order_and_keeps_none() {
    let file = write(&three_pages());
    let mut widths = Vec::new();
    let r = render_each(&file.path, "image/tiff", &Limits::default(), |page| {
        widths.push(page.preview.width);
        Ok::<_, RenditionError>(())
    })
    .unwrap();
    assert_eq!(widths, [1600, 800, 1600]);
    assert!(r.pages.is_empty());
    assert_eq!(r.page_count, 3);
}

#[test]
fn a_failure_to_store_a_page_stops_the_work_there() {
    let file = write(&three_pages());
    let mut handed = 0;
    let err = render_each(&file.path, "image/tiff", &Limits::default(), |_| {
        handed += 1;
        Err(RenditionError::TimedOut)
    })
    .unwrap_err();
    assert!(matches!(err, RenditionError::TimedOut));
    assert_eq!(handed, 1);
}

#[test]
fn a_one_bit_fax_page_is_previewed_black_on_white() {
    let file = write(&crate::fixtures::bilevel_tiff(64, 32));
    let r = render(&file.path, "image/tiff", &Limits::default()).unwrap();
    let shown = decode(&r.pages[0].preview.bytes);
    assert_eq!(shown.dimensions(), (64, 32));
    assert!(shown.get_pixel(8, 16)[0] < 40, "black where bits are set");
    assert!(shown.get_pixel(56, 16)[0] > 215, "white where they are not");
}
