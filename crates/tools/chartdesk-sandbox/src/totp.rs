//! TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s) for enrolling and signing in the sandbox's
//! MFA demo user, as an authenticator app would compute them.

use std::time::{SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, Builder, Secret};

const STEP: u64 = 30;

#[derive(Debug, thiserror::Error)]
#[error("the TOTP secret is not valid base32")]
pub struct TotpSecretError;

/// The code for `unix_seconds`. `build_noncompliant`: moto's fixed secret is shorter than the
/// 128 bits the crate otherwise insists on.
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Result<String, TotpSecretError> {
    let secret = Secret::try_from_base32(secret_base32.to_ascii_uppercase().trim_end_matches('='))
        .map_err(|_| TotpSecretError)?;
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP)
        .with_secret(secret)
        .build_noncompliant();
    Ok(totp.generate(unix_seconds).to_string())
}

/// A code that stays valid for at least two more seconds (waits out the end of a window),
/// so it still matches when the server checks it.
pub async fn fresh_code(secret_base32: &str) -> Result<String, TotpSecretError> {
    let now = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    if STEP - now() % STEP < 2 {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    code_at(secret_base32, now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 → 94287082 (8 digits).
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(code_at(secret, 59).unwrap(), "287082");
        assert_eq!(code_at(secret, 1_111_111_109).unwrap(), "081804");
    }

    #[test]
    fn a_bad_secret_is_reported() {
        assert!(code_at("not base32!", 0).is_err());
    }
}
