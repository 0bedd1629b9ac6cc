//! The handle the sending steps hang on (`prepare`, `send`, the outbox's rounds), so that they
//! depend on it rather than on each other.

use crate::services::Services;

/// Sending what was prepared: start, the bytes, complete; the outbox's rounds and the
/// direct upload share it.
#[derive(Clone, Copy)]
pub(in crate::services::upload) struct Sender<'a> {
    pub(in crate::services::upload) app: &'a Services,
}

impl<'a> Sender<'a> {
    pub(in crate::services::upload) fn of(app: &'a Services) -> Self {
        Self { app }
    }
}
