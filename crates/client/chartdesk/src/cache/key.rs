//! Keys for the offline copy: the database's own, and each sealed outbox file's.

use super::CacheError;

/// 32 fresh random bytes for a new cache (or a sealed outbox file).
pub fn new_key() -> Result<[u8; 32], CacheError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| CacheError::Io(e.to_string()))?;
    Ok(key)
}
