//! The wait before a compare-and-swap is tried again. Writers that lost a race and retried at
//! once would meet again at once; "full jitter" (a random wait up to an exponentially growing
//! cap) spreads them out, so a busy record settles in a few rounds instead of eight.

use std::time::Duration;

/// The first retry waits up to this long…
const BASE_MS: u64 = 10;
/// …and no retry waits longer than this.
const CAP_MS: u64 = 400;

/// The longest wait after the `attempt`-th conflict (0-based).
fn ceiling_ms(attempt: usize) -> u64 {
    BASE_MS.saturating_mul(1u64 << attempt.min(16)).min(CAP_MS)
}

/// A random wait after the `attempt`-th conflict.
pub fn delay(attempt: usize) -> Duration {
    Duration::from_millis(fastrand::u64(0..=ceiling_ms(attempt)))
}

/// Waits before the next try.
pub async fn after_conflict(attempt: usize) {
    tokio::time::sleep(delay(attempt)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_with_each_conflict_up_to_the_cap() {
        let ceilings: Vec<u64> = (0..10).map(ceiling_ms).collect();
        assert_eq!(&ceilings[..6], &[10, 20, 40, 80, 160, 320]);
        assert!(ceilings[6..].iter().all(|&c| c == CAP_MS));
        for attempt in 0..10 {
            for _ in 0..50 {
                assert!(delay(attempt) <= Duration::from_millis(ceiling_ms(attempt)));
            }
        }
    }

    #[test]
    fn two_writers_that_lost_the_same_race_wait_different_times() {
        // Jitter: 200 draws under a 320 ms ceiling are not all one value.
        let waits: std::collections::HashSet<Duration> = (0..200).map(|_| delay(5)).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }
}
