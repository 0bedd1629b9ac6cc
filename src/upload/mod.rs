//! Work done on the desktop before a scan goes up: image variants.

mod variants;

pub use variants::{make_variants, Variants, OPTIMIZED_WIDTH, THUMB_WIDTH};
