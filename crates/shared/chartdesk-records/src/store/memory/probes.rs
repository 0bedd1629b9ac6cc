//! What tests see of the in-memory store and how they slow it: requests counted (what a
//! route costs in S3 requests) and deletes or HEADs made to wait (a distant bucket), so one
//! request can be run while another is under way.

use std::sync::Mutex;
use std::time::Duration;

use super::InMemoryRecordStore;

/// Waits as long as a test set with `slow_deletes` or `slow_heads` (not at all by default).
pub(super) async fn wait(delay: &Mutex<Duration>) {
    let delay = *delay.lock().unwrap_or_else(|e| e.into_inner());
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

impl InMemoryRecordStore {
    pub(super) fn count_read(&self) {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub(super) fn count_on(&self, key: &str) {
        let mut counts = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry(key.to_string()).or_default() += 1;
    }

    /// How many reads, writes and deletes of `key` the store has served.
    pub fn requests_on(&self, key: &str) -> u64 {
        let counts = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        counts.get(key).copied().unwrap_or(0)
    }

    /// Every delete from now on waits `by` before it lands.
    pub fn slow_deletes(&self, by: std::time::Duration) {
        *self.delete_delay.lock().unwrap_or_else(|e| e.into_inner()) = by;
    }

    /// Every HEAD from now on waits `by` before it answers.
    pub fn slow_heads(&self, by: std::time::Duration) {
        *self.head_delay.lock().unwrap_or_else(|e| e.into_inner()) = by;
    }

    /// How many deletes have begun (landed or not).
    pub fn deletes_begun(&self) -> u64 {
        self.deletes_begun.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many reads (GET, HEAD, tag, list) the store has served: what a route costs in S3
    /// requests.
    pub fn reads(&self) -> u64 {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }
}
