//! Whether the bucket was last found unreachable, and what that means for the next call. A
//! desktop skips calls while offline (no connect timeouts piling up) until a probe reaches the
//! cloud again; a server serves many users, so one timed-out call must never fail the next.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::StoreError;

#[derive(Debug, Clone)]
pub(super) struct Connectivity {
    /// Shared by clones: one view of connectivity per profile.
    offline: Arc<AtomicBool>,
    /// Whether calls are skipped while offline.
    skips_while_offline: bool,
}

impl Connectivity {
    pub(super) fn skipping_while_offline() -> Self {
        Self {
            offline: Arc::new(AtomicBool::new(false)),
            skips_while_offline: true,
        }
    }

    pub(super) fn trying_every_call(mut self) -> Self {
        self.skips_while_offline = false;
        self
    }

    pub(super) fn is_offline(&self) -> bool {
        self.offline.load(Ordering::Relaxed)
    }

    pub(super) fn set_offline(&self, offline: bool) {
        self.offline.store(offline, Ordering::Relaxed);
    }

    /// True when the next call should fail at once as unreachable.
    pub(super) fn skips_call(&self) -> bool {
        self.skips_while_offline && self.is_offline()
    }

    /// What a finished call says about the cloud: a cancelled call says nothing.
    pub(super) fn record<T>(&self, result: &Result<T, StoreError>) {
        match result {
            Err(StoreError::Unreachable) => self.set_offline(true),
            Err(StoreError::Cancelled) => {}
            _ => self.set_offline(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreachable() -> Result<(), StoreError> {
        Err(StoreError::Unreachable)
    }

    #[test]
    fn a_desktop_skips_calls_once_the_cloud_was_unreachable_until_one_gets_through() {
        let desktop = Connectivity::skipping_while_offline();
        assert!(!desktop.skips_call());
        desktop.record(&unreachable());
        assert!(
            desktop.skips_call(),
            "no connect timeouts piling up offline"
        );
        desktop.set_offline(false); // a probe reached the cloud
        assert!(!desktop.skips_call());
    }

    #[test]
    fn a_server_tries_every_call_after_one_found_the_cloud_unreachable() {
        let server = Connectivity::skipping_while_offline().trying_every_call();
        server.record(&unreachable());
        assert!(server.is_offline());
        assert!(
            !server.skips_call(),
            "the next user's request still reaches S3"
        );
        server.record(&Ok(()));
        assert!(!server.is_offline());
    }

    #[test]
    fn a_cancelled_call_says_nothing_about_the_network() {
        let c = Connectivity::skipping_while_offline();
        c.record(&unreachable());
        c.record(&Err::<(), _>(StoreError::Cancelled));
        assert!(c.is_offline());
    }
}
