//! The recent hits per key for one rule. Checking the limit and counting the hit happen under
//! one lock, so requests sent at once cannot all pass a check that none of them has counted in.
//! A hit can be refunded by its ticket (a sign-in step that turned out not to be a failure).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use time::{Duration, OffsetDateTime};

use super::Rule;

/// Identifies one counted hit, so a refund removes that hit and no other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

#[derive(Clone, Copy)]
struct Hit {
    at: OffsetDateTime,
    ticket: Ticket,
}

#[derive(Default)]
struct Hits {
    /// Per key, oldest first; at most `limit` kept (older ones no longer decide anything).
    by_key: HashMap<String, VecDeque<Hit>>,
    next_ticket: u64,
}

pub struct HitLog {
    rule: Rule,
    /// Past this many keys, room is made (see `make_room`): a flood of made-up user names or
    /// addresses cannot exhaust memory.
    max_keys: usize,
    hits: Mutex<Hits>,
}

impl HitLog {
    pub fn new(rule: Rule, max_keys: usize) -> Self {
        Self {
            rule,
            max_keys: max_keys.max(1),
            hits: Mutex::new(Hits::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Hits> {
        // Each map entry is whole at any await-free point, so a poisoned lock is still usable.
        self.hits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long until one more hit is allowed; `None`: allowed now.
    pub fn wait(&self, key: &str, now: OffsetDateTime) -> Option<Duration> {
        let hits = self.lock();
        self.wait_in(hits.by_key.get(key)?, now)
    }

    fn wait_in(&self, recent: &VecDeque<Hit>, now: OffsetDateTime) -> Option<Duration> {
        let mut in_window = recent.iter().filter(|h| self.counts(h.at, now));
        let oldest = in_window.next()?.at;
        if 1 + in_window.count() < self.rule.limit {
            return None;
        }
        Some(oldest + self.rule.window - now)
    }

    /// A hit counts while younger than the window; one from a clock that went back does not.
    fn counts(&self, at: OffsetDateTime, now: OffsetDateTime) -> bool {
        at <= now && now - at < self.rule.window
    }

    /// Counts one hit now if the limit allows it, else says how long to wait. Atomic.
    pub fn reserve(&self, key: &str, now: OffsetDateTime) -> Result<Ticket, Duration> {
        let mut hits = self.lock();
        if let Some(wait) = hits.by_key.get(key).and_then(|r| self.wait_in(r, now)) {
            return Err(wait);
        }
        if hits.by_key.len() >= self.max_keys && !hits.by_key.contains_key(key) {
            self.make_room(&mut hits.by_key, now);
        }
        let ticket = Ticket(hits.next_ticket);
        hits.next_ticket += 1;
        let times = hits.by_key.entry(key.to_string()).or_default();
        times.push_back(Hit { at: now, ticket });
        while times.len() > self.rule.limit {
            times.pop_front();
        }
        Ok(ticket)
    }

    /// Takes back one hit counted by `reserve` (nothing if it has already aged out).
    pub fn refund(&self, key: &str, ticket: Ticket) {
        let mut hits = self.lock();
        if let Some(times) = hits.by_key.get_mut(key) {
            times.retain(|h| h.ticket != ticket);
            if times.is_empty() {
                hits.by_key.remove(key);
            }
        }
    }

    /// Drops the keys whose hits have all aged out; if the map is still full, drops a batch of
    /// the keys that matter least: fewest hits in the window, then the oldest last hit. A
    /// victim held at the limit outlives any number of made-up names tried once each, so a
    /// flood of those cannot reset a lockout. Batches keep the cost of a flood linear.
    fn make_room(&self, by_key: &mut HashMap<String, VecDeque<Hit>>, now: OffsetDateTime) {
        by_key.retain(|_, times| times.iter().any(|h| now - h.at < self.rule.window));
        if by_key.len() < self.max_keys {
            return;
        }
        let batch = (self.max_keys / 16).max(1);
        let mut ranked: Vec<(usize, OffsetDateTime, &String)> = by_key
            .iter()
            .map(|(key, times)| {
                let in_window = times.iter().filter(|h| self.counts(h.at, now)).count();
                let last = times.back().map_or(OffsetDateTime::UNIX_EPOCH, |h| h.at);
                (in_window, last, key)
            })
            .collect();
        if batch < ranked.len() {
            ranked.select_nth_unstable_by(batch, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        }
        let evicted: Vec<String> = ranked.iter().take(batch).map(|r| r.2.clone()).collect();
        for key in evicted {
            by_key.remove(&key);
        }
    }

    #[cfg(test)]
    pub fn keys(&self) -> usize {
        self.lock().by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap()
    }

    const TEN_IN_15_MINUTES: Rule = Rule {
        limit: 10,
        window: Duration::minutes(15),
    };

    #[test]
    fn memory_stays_bounded_under_made_up_names() {
        let log = HitLog::new(TEN_IN_15_MINUTES, 1_000);
        for i in 0..5_000 {
            log.reserve(&format!("u{i}"), at(0)).unwrap();
            assert!(log.keys() <= 1_000);
        }
    }

    #[test]
    fn a_full_map_keeps_a_victims_count_whatever_names_flood_it() {
        let log = HitLog::new(TEN_IN_15_MINUTES, 100);
        for i in 0..10 {
            log.reserve("victim", at(i)).unwrap();
        }
        assert!(log.reserve("victim", at(10)).is_err());
        // Ten times the map's size in made-up names, each tried once, after the victim's.
        for i in 0..1_000 {
            log.reserve(&format!("made-up-{i}"), at(20)).unwrap();
        }
        assert!(log.keys() <= 100);
        assert!(
            log.reserve("victim", at(30)).is_err(),
            "the victim is still held"
        );
    }

    #[test]
    fn a_full_map_evicts_the_oldest_keys_first() {
        let log = HitLog::new(TEN_IN_15_MINUTES, 16);
        for i in 0..16 {
            log.reserve(&format!("k{i}"), at(i)).unwrap();
        }
        log.reserve("newcomer", at(100)).unwrap();
        assert_eq!(log.wait("k0", at(100)), None, "the oldest went");
        assert!(log.lock().by_key.contains_key("k15"), "a newer one stays");
        assert!(log.lock().by_key.contains_key("newcomer"));
    }

    #[test]
    fn a_refund_takes_back_that_hit_only() {
        let log = HitLog::new(
            Rule {
                limit: 2,
                window: Duration::minutes(1),
            },
            10,
        );
        let first = log.reserve("k", at(0)).unwrap();
        log.reserve("k", at(0)).unwrap();
        assert!(log.reserve("k", at(1)).is_err());
        log.refund("k", first);
        log.refund("k", first);
        assert!(log.reserve("k", at(1)).is_ok(), "one place came back");
        assert!(log.reserve("k", at(1)).is_err(), "and only one");
    }
}
