//! The handle the outbox's operations hang on (`outbox.rs` queues and reads back,
//! `outbox_chunks.rs` reads large files in ranges), so the cache itself stays small.

use super::Cache;

/// The outbox's rows in the cache, reached by `cache.outbox_rows()`: queueing, reading back,
/// the user's decisions, removal once sent.
#[derive(Clone, Copy)]
pub struct OutboxRows<'a> {
    pub(super) cache: &'a Cache,
}

impl Cache {
    pub fn outbox_rows(&self) -> OutboxRows<'_> {
        OutboxRows { cache: self }
    }
}
