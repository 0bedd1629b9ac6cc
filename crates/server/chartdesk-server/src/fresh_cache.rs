//! A small in-memory map whose entries count only while younger than a fixed age, by the
//! injected clock: what bounds how long a signed-out or disabled user's token keeps working.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

pub struct FreshCache<K, V> {
    ttl: Duration,
    /// Past this many entries the stale ones are dropped, and if all are fresh the oldest few:
    /// memory stays bounded whatever a flood brings, and a recent entry (a token just signed
    /// out) outlives it.
    max_entries: usize,
    entries: Mutex<HashMap<K, (OffsetDateTime, V)>>,
}

impl<K: Eq + Hash + Clone, V: Clone> FreshCache<K, V> {
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value stored less than `ttl` ago. A clock that went back makes an entry stale, never
    /// fresher; a `ttl` of zero makes every lookup miss.
    pub fn get(&self, key: &K, now: OffsetDateTime) -> Option<V> {
        let entries = self.lock();
        let (at, value) = entries.get(key)?;
        is_fresh(*at, now, self.ttl).then(|| value.clone())
    }

    pub fn put(&self, key: K, value: V, now: OffsetDateTime) {
        let mut entries = self.lock();
        if entries.len() >= self.max_entries {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| is_fresh(*at, now, ttl));
            if entries.len() >= self.max_entries {
                evict_oldest(&mut entries, (self.max_entries / 16).max(1));
            }
        }
        entries.insert(key, (now, value));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (OffsetDateTime, V)>> {
        // A panic elsewhere while holding the lock leaves a usable map (each entry is whole).
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Drops the `count` entries stored longest ago (a batch, so a flood costs linear time).
fn evict_oldest<K: Eq + Hash + Clone, V>(
    entries: &mut HashMap<K, (OffsetDateTime, V)>,
    count: usize,
) {
    let mut by_age: Vec<(OffsetDateTime, &K)> =
        entries.iter().map(|(key, (at, _))| (*at, key)).collect();
    if count < by_age.len() {
        by_age.select_nth_unstable_by_key(count, |(at, _)| *at);
    }
    let oldest: Vec<K> = by_age
        .iter()
        .take(count)
        .map(|(_, k)| (*k).clone())
        .collect();
    for key in oldest {
        entries.remove(&key);
    }
}

fn is_fresh(at: OffsetDateTime, now: OffsetDateTime, ttl: Duration) -> bool {
    now >= at && now - at < ttl
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn an_entry_counts_for_less_than_its_age_limit_and_never_after() {
        let cache = FreshCache::new(Duration::seconds(60), 10);
        cache.put("token", true, at(0));
        assert_eq!(cache.get(&"token", at(0)), Some(true));
        assert_eq!(cache.get(&"token", at(59)), Some(true));
        assert_eq!(
            cache.get(&"token", at(60)),
            None,
            "60 s on, it is checked again"
        );
        assert_eq!(cache.get(&"token", at(3600)), None);
    }

    #[test]
    fn a_clock_that_goes_back_makes_an_entry_stale() {
        let cache = FreshCache::new(Duration::seconds(60), 10);
        cache.put("token", true, at(100));
        assert_eq!(cache.get(&"token", at(99)), None);
    }

    #[test]
    fn an_age_limit_of_zero_checks_every_time() {
        let cache = FreshCache::new(Duration::ZERO, 10);
        cache.put("token", true, at(0));
        assert_eq!(cache.get(&"token", at(0)), None);
    }

    #[test]
    fn the_cache_never_holds_more_than_its_limit() {
        let cache = FreshCache::new(Duration::seconds(60), 3);
        for i in 0..10 {
            cache.put(i, i, at(0));
            assert!(cache.lock().len() <= 3);
        }
        // Stale entries go first: a fresh one survives the pruning.
        let cache = FreshCache::new(Duration::seconds(60), 3);
        cache.put(1, 1, at(0));
        cache.put(2, 2, at(0));
        cache.put(3, 3, at(100));
        cache.put(4, 4, at(100));
        assert_eq!(cache.get(&3, at(100)), Some(3));
        assert_eq!(cache.get(&1, at(100)), None);
    }

    #[test]
    fn at_its_limit_the_cache_drops_its_oldest_entries_not_all() {
        let cache = FreshCache::new(Duration::seconds(60), 3);
        cache.put("signed-out", false, at(0));
        cache.put("b", true, at(1));
        cache.put("c", true, at(2));
        cache.put("d", true, at(3));
        assert_eq!(cache.get(&"signed-out", at(3)), None, "the oldest went");
        assert_eq!(cache.get(&"c", at(3)), Some(true), "newer entries stay");
        assert_eq!(cache.get(&"d", at(3)), Some(true));
    }
}
