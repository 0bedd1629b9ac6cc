//! The bucket: the `RecordStore` seam the records server works through, its S3 implementation
//! (`ObjectStore`, through the AWS SDK: the same code for the local cloud and real AWS), its
//! in-memory one, and the conformance suite both pass.

pub mod conformance;
mod connectivity;
mod failure;
pub mod integrity;
mod listing;
mod memory;
pub mod object_store;
pub mod part_journal;
mod record_store;
mod s3_multipart;
mod s3_objects;
mod s3_presign;
mod s3_record_store;
mod small_read;
pub mod transfer;

pub use failure::{classify, Failure};
pub use memory::InMemoryRecordStore;
pub use object_store::{ObjectStore, StoreError};
pub use record_store::{
    Completion, Fetched, Head, Presigned, RecordStore, UploadedPart, PRESIGNED_EXPIRY,
};
pub use transfer::Progress;
