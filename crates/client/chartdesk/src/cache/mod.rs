//! The offline cache: one SQLCipher database per profile and user, its 32-byte key in the OS
//! keychain. Holds the outbox (uploads not yet confirmed by S3 and the manifest), the patients
//! and documents a user opened, and their files. Everything in it is encrypted at rest; there
//! is no plain-text mode, and a cache that cannot be opened with its key is moved aside (never
//! read in clear, never silently recreated).

mod budget;
mod database;
mod document_texts;
mod error;
pub mod files;
mod key;
mod multipart_journal;
pub mod outbox;
pub mod outbox_chunks;
mod outbox_rows;
pub mod records;
mod reindex_marks;
mod schema;
mod sealed;
pub mod search_index;
mod search_terms;

pub use budget::Evicted;
pub use database::Cache;
pub use error::CacheError;
pub use files::{FileKey, FileView};
pub use key::new_key;
pub use outbox::{OutboxItem, OutboxState, QueuedFile, QueuedUpload};
pub use outbox_rows::OutboxRows;
pub use records::CachedPatient;
pub use reindex_marks::ReindexMarks;
pub use search_index::{CachedHit, IndexRow};
