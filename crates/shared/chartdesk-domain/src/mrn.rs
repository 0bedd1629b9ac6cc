//! Hospital medical record number (MRN): the hospital's own identifier and the S3 key segment.

use std::fmt;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The default pattern: 6 to 12 digits. A hospital sets its own on the records server.
pub const DEFAULT_MRN_PATTERN: &str = "^[0-9]{6,12}$";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrnError {
    #[error("Please supply an MRN")]
    Empty,
    #[error("Invalid MRN: expected the hospital's format")]
    Invalid,
    #[error("The MRN pattern in the configuration is not a valid regular expression")]
    BadPattern,
}

/// Checks MRNs against the hospital's pattern. Whatever the pattern, only ASCII letters and
/// digits are ever accepted, because the MRN becomes part of S3 keys.
#[derive(Debug, Clone)]
pub struct MrnFormat(Regex);

impl MrnFormat {
    pub fn new(pattern: &str) -> Result<Self, MrnError> {
        Regex::new(pattern)
            .map(Self)
            .map_err(|_| MrnError::BadPattern)
    }

    /// The pattern as written, for publishing to clients.
    pub fn pattern(&self) -> &str {
        self.0.as_str()
    }

    pub fn parse(&self, input: &str) -> Result<Mrn, MrnError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(MrnError::Empty);
        }
        let key_safe = value.bytes().all(|b| b.is_ascii_alphanumeric());
        if !key_safe || !self.0.is_match(value) {
            return Err(MrnError::Invalid);
        }
        Ok(Mrn(value.to_ascii_uppercase()))
    }
}

impl Default for MrnFormat {
    fn default() -> Self {
        // The constant is a valid expression; a unit test proves it.
        Self(Regex::new(DEFAULT_MRN_PATTERN).unwrap_or_else(|_| unreachable!()))
    }
}

/// A validated MRN (ASCII letters and digits only, upper-cased).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Mrn(String);

impl Mrn {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For values read back from our own storage (lookup objects), which must still be key-safe.
    pub fn from_stored(value: &str) -> Result<Self, MrnError> {
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(value.to_ascii_uppercase()))
        } else {
            Err(MrnError::Invalid)
        }
    }
}

impl AsRef<str> for Mrn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Mrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Mrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mrn(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pattern_accepts_six_to_twelve_digits() {
        let f = MrnFormat::default();
        assert!(f.parse("123456").is_ok());
        assert!(f.parse(" 123456789012 ").is_ok());
        assert_eq!(f.parse("12345"), Err(MrnError::Invalid));
        assert_eq!(f.parse("1234567890123"), Err(MrnError::Invalid));
        assert_eq!(f.parse(""), Err(MrnError::Empty));
    }

    #[test]
    fn path_tricks_are_refused_even_by_a_permissive_pattern() {
        let f = MrnFormat::new(".*").unwrap();
        for bad in ["../123456", "12/34", "12 34", "ä123456"] {
            assert_eq!(f.parse(bad), Err(MrnError::Invalid), "{bad}");
        }
        assert!(Mrn::from_stored("../x").is_err());
    }

    #[test]
    fn a_broken_pattern_is_reported() {
        assert_eq!(MrnFormat::new("([").unwrap_err(), MrnError::BadPattern);
    }
}
