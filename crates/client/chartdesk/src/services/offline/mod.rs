//! The offline store as one component: the signed-in user's encrypted cache (opened on first
//! use with the key from the keychain, made on first run), its budget, the reset path when it
//! cannot be opened, and the patients kept in it (`records`). It owns the open cache; the
//! caller says whose it is (the session decides who is signed in).

mod records;

use std::path::PathBuf;

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use tokio::sync::Mutex;
use tracing::warn;

use super::Clock;
use crate::auth::{KeychainBackend, KeychainError, RefreshTokenVault};
use crate::cache::{new_key, Cache, CacheError};
use crate::config::{OfflineSettings, Profile};

pub use records::index_rows;

#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    #[error("This profile has no folder for offline data")]
    NoOfflineCache,
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
}

pub struct OfflineStore {
    /// Where each user's encrypted cache lives; `None` keeps nothing offline (some tests).
    dir: Option<PathBuf>,
    /// The profile's keychain entries hold each user's cache key.
    profile_name: String,
    client_id: String,
    keychain: KeychainBackend,
    settings: OfflineSettings,
    clock: Clock,
    /// The open cache and the user it belongs to.
    open: Mutex<Option<(String, Cache)>>,
}

impl OfflineStore {
    pub fn new(profile: &Profile, clock: Clock) -> Self {
        Self {
            dir: None,
            profile_name: profile.name.clone(),
            client_id: profile.client_id.clone(),
            keychain: profile.keychain,
            settings: profile.offline,
            clock,
            open: Mutex::new(None),
        }
    }

    /// Where this profile's caches live (one database per user).
    pub fn with_dir(mut self, dir: PathBuf) -> Self {
        self.dir = Some(dir);
        self
    }

    /// Whether this profile keeps anything offline at all.
    pub fn has_dir(&self) -> bool {
        self.dir.is_some()
    }

    /// The user's cache. Fails with `CacheError::Unreadable` when the file exists but its key
    /// is gone or wrong: the user then chooses `reset`.
    pub async fn open(&self, username: &str) -> Result<Cache, OfflineError> {
        let mut slot = self.open.lock().await;
        if let Some((owner, cache)) = slot.as_ref() {
            if owner == username {
                return Ok(cache.clone());
            }
        }
        let path = self.path(username)?;
        // Two processes of one user (the window and the CLI, or CLI runs side by side) must
        // not each make a key: the key and the database are made once, under an OS file lock.
        let _held = lock_beside(&path).await?;
        let keys = self.keys();
        let key = match keys.cache_key(username).await? {
            Some(hex) => parse_key(&hex).ok_or(CacheError::Unreadable)?,
            // A file without its key can never be read: say so, never start over silently.
            None if path.exists() => return Err(CacheError::Unreadable.into()),
            None => {
                let key = new_key()?;
                keys.save_cache_key(username, to_hex(&key)).await?;
                key
            }
        };
        let opened = tokio::task::spawn_blocking(move || Cache::open(&path, &key))
            .await
            .map_err(|e| CacheError::Database(e.to_string()))??;
        // Before anyone can search it: rows indexed under an older rule are rebuilt.
        self.reindex_stale(&opened).await;
        *slot = Some((username.to_string(), opened.clone()));
        Ok(opened)
    }

    /// Closes the open cache: the next user opens their own.
    pub async fn close(&self) {
        *self.open.lock().await = None;
    }

    /// Moves the user's unreadable cache aside (kept, never opened in clear) and starts a new
    /// one with a new key. Whatever was queued in the old one is lost, as the UI warns.
    pub async fn reset(&self, username: &str) -> Result<(), OfflineError> {
        let path = self.path(username)?;
        self.close().await;
        let stamp = (self.clock)().unix_timestamp().to_string();
        Cache::move_aside(&path, &stamp)?;
        let key = new_key()?;
        self.keys().save_cache_key(username, to_hex(&key)).await?;
        self.open(username).await.map(|_| ())
    }

    /// Applies the profile's size limit and retention time (best effort, after each write).
    pub async fn keep_within_budget(&self, cache: &Cache) {
        let settings = self.settings;
        let cutoff = (self.clock)() - time::Duration::days(i64::from(settings.retention_days));
        let cutoff = cutoff.format(&Rfc3339).unwrap_or_default();
        if let Err(e) = cache.enforce_budget(settings.limit_bytes, &cutoff).await {
            warn!(kind = e.kind(), "offline cache budget not applied");
        }
    }

    fn keys(&self) -> RefreshTokenVault {
        RefreshTokenVault::new(&self.profile_name, &self.client_id, self.keychain)
    }

    /// `{cache dir}/{profile}/{hash of user}.db`: no user name in clear on disk.
    fn path(&self, username: &str) -> Result<PathBuf, OfflineError> {
        let dir = self.dir.as_ref().ok_or(OfflineError::NoOfflineCache)?;
        let user = hex::encode(&Sha256::digest(username.as_bytes())[..8]);
        Ok(dir.join(&self.profile_name).join(format!("{user}.db")))
    }

    fn now_text(&self) -> String {
        (self.clock)().format(&Rfc3339).unwrap_or_default()
    }
}

/// Flattened into the app's error vocabulary, so the UI codes stay as they were.
impl From<OfflineError> for super::AppError {
    fn from(e: OfflineError) -> Self {
        match e {
            OfflineError::NoOfflineCache => Self::NoOfflineCache,
            OfflineError::Cache(e) => Self::Cache(e),
            OfflineError::Keychain(e) => Self::Keychain(e),
        }
    }
}

/// Waits for (then holds, until dropped) the exclusive lock on `{db}.lock` beside the cache.
async fn lock_beside(db: &std::path::Path) -> Result<std::fs::File, CacheError> {
    let io = |e: std::io::Error| CacheError::Io(e.to_string());
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let lock_path = db.with_extension("lock");
    tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(|e| CacheError::Database(e.to_string()))?
    .map_err(io)
}

fn to_hex(key: &[u8; 32]) -> String {
    hex::encode(key)
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text, &mut key).ok()?;
    Some(key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_round_trips_through_hex_and_junk_is_refused() {
        let key = [7u8; 32];
        assert_eq!(super::parse_key(&super::to_hex(&key)), Some(key));
        assert_eq!(super::parse_key("zz"), None);
        assert_eq!(super::parse_key(&"g".repeat(64)), None);
    }
}
