//! Unlocking the idle lock with no network: Cognito cannot check the password, so an Argon2id
//! hash of it, made when Cognito last accepted it, is kept in the OS keychain beside the
//! refresh token (the same trust boundary) and checked locally. Used only when Cognito
//! cannot be reached; removed at sign-out. A shared ward computer must not let a stolen
//! session be guessed open offline: at most `MAX_OFFLINE_ATTEMPTS` wrong passwords, each
//! followed by a longer wait, counted in the keychain so a restart does not reset them; after
//! that only Cognito (an online unlock) opens the lock.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The PHC string of a password Cognito accepted; `None` if hashing failed (then no offline
/// unlock is offered, never a weaker one).
pub fn password_verifier(password: &str) -> Option<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .ok()
        .map(|h| h.to_string())
}

pub fn password_matches(verifier: &str, password: &str) -> bool {
    PasswordHash::new(verifier).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Wrong offline passwords allowed before the lock needs the network.
pub const MAX_OFFLINE_ATTEMPTS: u32 = 5;

/// Wrong offline passwords so far and when the last one was typed (Unix seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last_at: i64,
}

impl Failures {
    /// As the keychain keeps it: `count:unix-seconds`.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.count, self.last_at)
    }

    /// A damaged entry counts as the limit reached: never fewer attempts than recorded.
    pub fn decode(stored: &str) -> Self {
        let parsed = stored
            .split_once(':')
            .and_then(|(c, t)| Some((c.parse().ok()?, t.parse().ok()?)));
        match parsed {
            Some((count, last_at)) => Self { count, last_at },
            None => Self {
                count: MAX_OFFLINE_ATTEMPTS,
                last_at: 0,
            },
        }
    }

    pub fn after_another(&self, now: i64) -> Self {
        Self {
            count: self.count.saturating_add(1),
            last_at: now,
        }
    }
}

/// Whether an offline unlock may be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Seconds left before the next try.
    Wait(u64),
    /// The limit is reached: unlock online.
    Exhausted,
}

/// The wait after the nth wrong password: 5, 10, 20, 40 s.
pub fn wait_after(count: u32) -> u64 {
    match count {
        0 => 0,
        n => 5u64 << (n - 1).min(6),
    }
}

pub fn verdict(failures: Failures, now: i64) -> Verdict {
    if failures.count >= MAX_OFFLINE_ATTEMPTS {
        return Verdict::Exhausted;
    }
    let ready_at = failures
        .last_at
        .saturating_add(i64::try_from(wait_after(failures.count)).unwrap_or(i64::MAX));
    if now < ready_at {
        Verdict::Wait(u64::try_from(ready_at - now).unwrap_or(0))
    } else {
        Verdict::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_password_that_was_hashed_matches_and_the_hash_does_not_hold_it() {
        let v = password_verifier("Demo-Clinician-2026!").unwrap();
        assert!(v.starts_with("$argon2id$"));
        assert!(!v.contains("Demo-Clinician"));
        assert!(password_matches(&v, "Demo-Clinician-2026!"));
        assert!(!password_matches(&v, "demo-clinician-2026!"));
        assert!(!password_matches("not a hash", "Demo-Clinician-2026!"));
    }

    #[test]
    fn each_wrong_offline_password_waits_longer_and_the_fifth_needs_the_network() {
        let mut f = Failures::default();
        assert_eq!(verdict(f, 1_000), Verdict::Allowed);
        let mut waits = Vec::new();
        for _ in 0..4 {
            f = f.after_another(1_000);
            waits.push(wait_after(f.count));
            assert_eq!(verdict(f, 1_000), Verdict::Wait(wait_after(f.count)));
            assert_eq!(
                verdict(f, 1_000 + wait_after(f.count) as i64),
                Verdict::Allowed
            );
        }
        assert_eq!(waits, [5, 10, 20, 40]);
        f = f.after_another(1_000);
        assert_eq!(
            verdict(f, 1_000_000),
            Verdict::Exhausted,
            "however long one waits"
        );
    }

    #[test]
    fn the_count_survives_the_keychain_and_a_damaged_entry_allows_no_more_tries() {
        let f = Failures {
            count: 3,
            last_at: 1_700_000_000,
        };
        assert_eq!(Failures::decode(&f.encode()), f);
        assert_eq!(
            verdict(Failures::decode("garbage"), i64::MAX),
            Verdict::Exhausted
        );
    }
}
