//! Inputs made in code for the variant row (issue 13 item 3), and our side of it: one image's
//! two previews as the server's worker makes them, in its own process so its peak RSS is its own.

use std::path::Path;

use jpeg_encoder::{ColorType, Encoder};

use crate::Rng;

/// `count` 12 MP camera-like JPEGs (4000 x 3000: gradients, texture and sensor noise) and
/// `count` 300 dpi A4 scans (2480 x 3508: a white page with lines of dark "text").
pub fn make(dir: &Path, count: usize, small: bool) {
    std::fs::create_dir_all(dir).expect("image dir");
    let mut rng = Rng::new(7);
    // The smoke run checks the path, not the speed: small images keep it quick.
    let (camera, a4) = if small {
        ((800, 600), (496, 702))
    } else {
        ((4000, 3000), (2480, 3508))
    };
    for i in 0..count {
        let (w, h) = camera;
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let noise = (rng.next_u64() % 24) as i32 - 12;
                let wave = (((x as f32 / 37.0).sin() + (y as f32 / 53.0).cos()) * 40.0) as i32;
                for (c, base) in [(0, 150), (1, 110), (2, 90)] {
                    let v = base + wave + noise + (c * ((x + y) as i32 % 40 - 20)) + i as i32;
                    rgb.push(v.clamp(0, 255) as u8);
                }
            }
        }
        write(&dir.join(format!("camera-{i:02}.jpg")), &rgb, w, h, 90);
        let (w, h) = a4;
        let mut page = vec![245u8; w * h * 3];
        for line in (h / 12..h - h / 12).step_by(h / 70) {
            for y in line..line + h / 140 {
                for x in w / 10..w - w / 10 {
                    // Words: runs of ink with gaps, as a typed page has.
                    if !(x / (w / 60) + line).is_multiple_of(7) && !rng.next_u64().is_multiple_of(3)
                    {
                        let ink = 30 + (rng.next_u64() % 40) as u8;
                        page[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&[
                            ink,
                            ink,
                            ink + 5,
                        ]);
                    }
                }
            }
        }
        write(&dir.join(format!("a4-scan-{i:02}.jpg")), &page, w, h, 85);
    }
}

fn write(path: &Path, rgb: &[u8], w: usize, h: usize, quality: u8) {
    let mut out = Vec::new();
    Encoder::new(&mut out, quality)
        .encode(rgb, w as u16, h as u16, ColorType::Rgb)
        .expect("encode");
    std::fs::write(path, out).expect("write image");
}

/// The product's previews of one image, as the server's worker makes them
/// (`chartdesk_renditions::render`), the first page's written beside each other in `out`.
pub fn variants(file: &Path, out: &Path) {
    let head = std::fs::read(file).expect("read image");
    let content_type = chartdesk_domain::sniff(&head).expect("an accepted image");
    let limits = chartdesk_renditions::Limits::default();
    let made = chartdesk_renditions::render(file, content_type, &limits).expect("previews");
    let page = made.pages.into_iter().next().expect("an image page");
    std::fs::create_dir_all(out).expect("out dir");
    std::fs::write(out.join("optimized.jpg"), page.preview.bytes).expect("write");
    std::fs::write(out.join("thumb.jpg"), page.thumb.bytes).expect("write");
}
