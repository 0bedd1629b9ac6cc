//! Work done on the desktop before a scan goes up: the window's files staged on disk (the
//! original is all that is sent: the server's worker makes the previews).

pub mod staged;

pub use staged::StagedUploads;
