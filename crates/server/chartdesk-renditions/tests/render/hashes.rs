//! Perceptual hashes: the same picture saved again is near-identical; different ones are not.
//! These cases choose NEAR_DUPLICATE_DISTANCE (out of 256 bits): when it was chosen, copies
//! differed by 0-1 bits and different pictures by 93-165.

use chartdesk_renditions::{hash_distance, render, Limits, NEAR_DUPLICATE_DISTANCE};
use image::imageops::{self, FilterType};
use image::RgbImage;

use crate::fixtures::{self, photo, typed_page, write};

fn hash_of(bytes: &[u8], content_type: &str) -> String {
    let file = write(bytes);
    render(&file.path, content_type, &Limits::default())
        .unwrap()
        .perceptual_hash
        .unwrap()
}

fn jpeg_hash(image: &RgbImage, quality: u8) -> String {
    hash_of(&fixtures::jpeg(image, quality), "image/jpeg")
}

#[test]
fn the_same_photo_saved_again_is_near_identical() {
    let original = photo(2400, 1600, 7);
    let first = jpeg_hash(&original, 92);
    let resaved = [
        jpeg_hash(&original, 40),
        // Shrunk and saved as PNG: as a phone's "share" might.
        hash_of(
            &fixtures::png(&imageops::resize(
                &original,
                1200,
                800,
                FilterType::Triangle,
            )),
            "image/png",
        ),
        // Scanned again a little brighter.
        jpeg_hash(&imageops::brighten(&original, 20), 85),
    ];
    for again in resaved {
        let d = hash_distance(&first, &again).unwrap();
        assert!(d < NEAR_DUPLICATE_DISTANCE, "distance {d}");
    }
}

#[test]
fn different_photos_and_different_typed_pages_are_not_near_identical() {
    let photos: Vec<String> = (10..14)
        .map(|s| jpeg_hash(&photo(2000, 1500, s), 85))
        .collect();
    let pages: Vec<String> = (1..4).map(|s| jpeg_hash(&typed_page(s), 85)).collect();
    for group in [&photos, &pages] {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                let d = hash_distance(a, b).unwrap();
                assert!(d >= NEAR_DUPLICATE_DISTANCE, "distance {d}");
            }
        }
    }
}

#[test]
fn hashes_of_another_kind_are_not_compared() {
    let h = jpeg_hash(&photo(400, 300, 1), 85);
    assert_eq!(hash_distance(&h, &h), Some(0));
    assert_eq!(hash_distance(&h, "phash8:AAAAAAAAAAA"), None);
    assert_eq!(hash_distance(&h, "not a hash"), None);
}
