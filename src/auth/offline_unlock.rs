//! Unlocking the idle lock with no network: Cognito cannot check the password, so an Argon2id
//! hash of it, made when Cognito last accepted it, is kept in the OS keychain beside the
//! refresh token (the same trust boundary) and checked locally. Used only when Cognito
//! cannot be reached; removed at sign-out.

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
}
