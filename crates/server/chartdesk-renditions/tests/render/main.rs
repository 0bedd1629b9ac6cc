//! The renditions as the worker gets them: files written by the tests, rendered from disk.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod hashes;
mod images;
mod pdfs;
mod tiffs;
