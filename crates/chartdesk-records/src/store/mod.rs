//! The bucket through the AWS SDK: the same code for the local cloud and real AWS.

mod connectivity;
mod failure;
mod listing;
pub mod object_store;
pub mod part_journal;
mod small_read;
pub mod transfer;

pub use failure::{classify, Failure};
pub use object_store::{ObjectStore, StoreError};
pub use transfer::Progress;
