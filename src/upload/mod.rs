//! Work done on the desktop before a scan goes up: the window's files staged on disk, and
//! image variants.

pub mod staged;
mod variants;

pub use staged::StagedUploads;
pub use variants::{make_variants, Variants, OPTIMIZED_WIDTH, THUMB_WIDTH};
