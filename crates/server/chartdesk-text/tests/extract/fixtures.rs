//! Test files made here, with the real poppler: PDFs with typed words (base-14 Helvetica), and
//! pictures of typed words made by rasterising such a PDF, so OCR meets text no one typed in.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use tempfile::TempDir;

/// A page of a test PDF.
pub enum Page<'a> {
    /// Lines of text in its text layer.
    Typed(&'a [&'a str]),
    /// A grey picture and nothing else: a scanned page.
    Scanned(&'a Grey),
}

/// An 8-bit grey picture.
pub struct Grey {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

const A4: (f32, f32) = (595.0, 842.0);

pub fn pdf(pages: &[Page]) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let mut next = 4;
    let mut fresh = || {
        next += 1;
        Ref::new(next)
    };
    let ids: Vec<(Ref, Ref, Ref)> = pages.iter().map(|_| (fresh(), fresh(), fresh())).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _, _)| *page))
        .count(i32::try_from(pages.len()).unwrap());
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    for (spec, (page_id, contents, image)) in pages.iter().zip(&ids) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, A4.0, A4.1));
        page.parent(tree);
        page.contents(*contents);
        let mut content = Content::new();
        match spec {
            Page::Typed(lines) => {
                page.resources().fonts().pair(Name(b"F1"), font);
                page.finish();
                content.begin_text();
                content.set_font(Name(b"F1"), 28.0);
                content.next_line(60.0, 740.0);
                for line in *lines {
                    content.show(Str(line.as_bytes()));
                    content.next_line(0.0, -48.0);
                }
                content.end_text();
            }
            Page::Scanned(grey) => {
                page.resources().x_objects().pair(Name(b"Im1"), *image);
                page.finish();
                let mut xobject = pdf.image_xobject(*image, &grey.pixels);
                xobject.width(i32::try_from(grey.width).unwrap());
                xobject.height(i32::try_from(grey.height).unwrap());
                xobject.color_space_name(Name(b"DeviceGray"));
                xobject.bits_per_component(8);
                xobject.finish();
                content.save_state();
                content.transform([A4.0, 0.0, 0.0, A4.1, 0.0, 0.0]);
                content.x_object(Name(b"Im1"));
                content.restore_state();
            }
        }
        pdf.stream(*contents, &content.finish());
    }
    pdf.finish()
}

/// A folder for one test's files; removed when dropped.
pub struct Files {
    dir: TempDir,
}

impl Files {
    pub fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// An A4 page of typed words, drawn by poppler at 150 dpi: a picture of text.
    pub fn picture_of(&self, lines: &[&str]) -> Grey {
        let source = self.write("typed.pdf", &pdf(&[Page::Typed(lines)]));
        let out = self.dir.path().join("typed");
        run(Command::new("pdftoppm")
            .args(["-r", "150", "-gray", "-singlefile"])
            .arg(&source)
            .arg(&out));
        read_pgm(&out.with_extension("pgm"))
    }

    /// The same picture as a PNG file, as a phone or scanner would save it.
    pub fn png_of(&self, lines: &[&str]) -> PathBuf {
        let source = self.write("typed.pdf", &pdf(&[Page::Typed(lines)]));
        let out = self.dir.path().join("photo");
        run(Command::new("pdftoppm")
            .args(["-r", "150", "-gray", "-png", "-singlefile"])
            .arg(&source)
            .arg(&out));
        out.with_extension("png")
    }
}

/// A multi-page grey TIFF, one picture a page.
pub fn tiff(pages: &[&Grey]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut encoder = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
    for page in pages {
        encoder
            .write_image::<tiff::encoder::colortype::Gray8>(page.width, page.height, &page.pixels)
            .unwrap();
    }
    out.into_inner()
}

fn run(command: &mut Command) {
    let status = command.status().expect("poppler's pdftoppm is installed");
    assert!(status.success(), "pdftoppm drew the test page");
}

/// A binary PGM (`P5`), as pdftoppm writes it: three header fields, one whitespace, pixels.
fn read_pgm(path: &Path) -> Grey {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P5", "pdftoppm -gray writes a binary PGM");
    assert_eq!(fields[3], "255", "8-bit grey");
    let width: u32 = fields[1].parse().unwrap();
    let height: u32 = fields[2].parse().unwrap();
    let pixels = bytes[at + 1..].to_vec();
    assert_eq!(pixels.len(), (width * height) as usize);
    Grey {
        width,
        height,
        pixels,
    }
}
