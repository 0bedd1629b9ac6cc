//! Export: chosen documents written to one ZIP with a manifest CSV. Pure file work, no cloud:
//! the services layer fetches and integrity-checks the bytes first.

mod archive;

pub use crate::records::export_manifest::UniqueNames;
pub use archive::{write_archive, ArchiveError, ExportedFile};
