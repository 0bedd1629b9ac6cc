//! Export: chosen documents written to one ZIP with a manifest CSV, one at a time. Pure file
//! work, no cloud: the services layer fetches and integrity-checks each document first.

mod archive;

pub use crate::records::export_manifest::UniqueNames;
pub use archive::{Archive, ArchiveError, ExportedEntry};
