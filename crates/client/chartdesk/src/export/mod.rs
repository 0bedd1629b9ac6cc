//! Export: chosen documents written to one ZIP with a manifest CSV, one at a time. Pure file
//! work, no cloud: the services layer fetches and integrity-checks each document first.

mod archive;

pub use archive::{Archive, ArchiveError};
