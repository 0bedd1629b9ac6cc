//! PDFs: the first page's thumbnail and the page count, from poppler.

use chartdesk_renditions::{render, Limits, RenditionError};
use pdf_writer::{Content, Pdf, Rect, Ref};

use crate::fixtures::{decode, write};

/// A4 pages; page 1 is black on its top half, the others white.
fn pdf(pages: i32) -> Vec<u8> {
    pdf_of(pages, (595.0, 842.0), 0)
}

/// `pages` pages of `size` points, each turned by `rotate` degrees.
fn pdf_of(pages: i32, (width, height): (f32, f32), rotate: i32) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree) = (Ref::new(1), Ref::new(2));
    let page_ids: Vec<Ref> = (0..pages).map(|i| Ref::new(10 + 2 * i)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages);
    for (i, &id) in page_ids.iter().enumerate() {
        let contents = Ref::new(id.get() + 1);
        pdf.page(id)
            .parent(tree)
            .media_box(Rect::new(0.0, 0.0, width, height))
            .rotate(rotate)
            .contents(contents);
        let mut content = Content::new();
        if i == 0 {
            content.set_fill_gray(0.0);
            content.rect(0.0, height / 2.0, width, height / 2.0);
            content.fill_nonzero();
        }
        pdf.stream(contents, &content.finish());
    }
    pdf.finish()
}

#[test]
fn a_pdf_gets_a_320_pixel_first_page_thumbnail_and_its_page_count() {
    let file = write(&pdf(3));
    let r = render(&file.path, "application/pdf", &Limits::default()).unwrap();
    assert_eq!(r.page_count, 3);
    assert!(r.pages.is_empty());
    assert!(r.perceptual_hash.is_none());
    let thumb = r.pdf_thumb.unwrap();
    let shown = decode(&thumb.bytes);
    assert_eq!(shown.width(), 320);
    assert_eq!((thumb.width, thumb.height), shown.dimensions());
    // A4's proportions, and page 1's drawing: black above, white below.
    assert!((451..=454).contains(&shown.height()), "{}", shown.height());
    assert!(shown.get_pixel(160, 50)[0] < 40);
    assert!(shown.get_pixel(160, 400)[0] > 215);
}

#[test]
fn a_broken_pdf_gives_a_plain_error() {
    let file = write(b"%PDF-1.7\nthis is not a document\n%%EOF\n");
    let err = render(&file.path, "application/pdf", &Limits::default()).unwrap_err();
    assert!(matches!(err, RenditionError::BrokenPdf), "{err:?}");
    assert_eq!(err.to_string(), "the PDF could not be read");
}

#[test]
fn a_turned_pdf_page_still_gets_a_320_pixel_wide_thumbnail() {
    let file = write(&pdf_of(1, (595.0, 842.0), 90));
    let r = render(&file.path, "application/pdf", &Limits::default()).unwrap();
    let shown = decode(&r.pdf_thumb.unwrap().bytes);
    assert_eq!(shown.width(), 320);
    assert!((225..=227).contains(&shown.height()), "{}", shown.height());
}

#[test]
fn a_pdf_page_that_would_draw_too_many_pixels_is_refused() {
    // 320 px wide, a page 10 by 100000 points would be drawn 3.2 million pixels tall.
    let file = write(&pdf_of(1, (10.0, 100_000.0), 0));
    let err = render(&file.path, "application/pdf", &Limits::default()).unwrap_err();
    assert!(
        matches!(err, RenditionError::TooLarge { width: 320, .. }),
        "{err:?}"
    );
}
