//! The perceptual hash behind "looks like" duplicates: a gradient hash (dHash) of 16 x 16
//! comparisons (256 bits), taken from the first page's preview. A gradient hash survives
//! re-encoding, rescaling and brightness changes; 256 bits rather than 64 keep two different
//! pages of typed text apart. The text names its kind, so a later change of algorithm never
//! compares unlike hashes.

use image::RgbImage;
use image_hasher::{HashAlg, HasherConfig, ImageHash};

const KIND: &str = "dhash16:";

/// Hashes this far apart or closer are "near-identical" (out of 256 bits). Chosen by
/// `hash::tests`: the same photo re-encoded at another quality or size stays within a few bits,
/// different photo-like images and different typed pages are far beyond it.
pub const NEAR_DUPLICATE_DISTANCE: u32 = 24;

pub(crate) fn perceptual_hash(page: &RgbImage) -> String {
    let hasher = HasherConfig::new()
        .hash_alg(HashAlg::Gradient)
        .hash_size(16, 16)
        .to_hasher();
    format!("{KIND}{}", hasher.hash_image(page).to_base64())
}

/// Bits differing between two hashes of the same kind and size; `None` for anything else.
pub fn hash_distance(a: &str, b: &str) -> Option<u32> {
    let parse = |s: &str| ImageHash::<Box<[u8]>>::from_base64(s.strip_prefix(KIND)?).ok();
    let (a, b) = (parse(a)?, parse(b)?);
    (a.as_bytes().len() == b.as_bytes().len()).then(|| a.dist(&b))
}
