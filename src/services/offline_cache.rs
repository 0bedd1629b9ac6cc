//! The signed-in user's encrypted cache: opened on first use with the key from the keychain
//! (made on first run), and the reset path when it cannot be opened.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::{AppError, Services};
use crate::auth::RefreshTokenVault;
use crate::cache::{new_key, Cache, CacheError};

impl Services {
    /// Where this profile's caches live (one database per user).
    pub fn with_cache_dir(mut self, dir: PathBuf) -> Self {
        self.cache_dir = Some(dir);
        self
    }

    /// The signed-in user's cache. Fails with `CacheError::Unreadable` when the file exists but
    /// its key is gone or wrong: the user then chooses `reset_cache`.
    pub async fn cache(&self) -> Result<Cache, AppError> {
        let username = self.actor().await?;
        let mut slot = self.cache.lock().await;
        if let Some((owner, cache)) = slot.as_ref() {
            if *owner == username {
                return Ok(cache.clone());
            }
        }
        let path = self.cache_path(&username)?;
        // Two processes of one user (the window and the CLI, or CLI runs side by side) must
        // not each make a key: the key and the database are made once, under an OS file lock.
        let _held = lock_beside(&path).await?;
        let keys = self.cache_keys();
        let key = match keys.cache_key(&username).await? {
            Some(hex) => parse_key(&hex).ok_or(CacheError::Unreadable)?,
            // A file without its key can never be read: say so, never start over silently.
            None if path.exists() => return Err(CacheError::Unreadable.into()),
            None => {
                let key = new_key()?;
                keys.save_cache_key(&username, to_hex(&key)).await?;
                key
            }
        };
        let opened = tokio::task::spawn_blocking(move || Cache::open(&path, &key))
            .await
            .map_err(|e| CacheError::Database(e.to_string()))??;
        *slot = Some((username, opened.clone()));
        Ok(opened)
    }

    /// Moves the user's unreadable cache aside (kept, never opened in clear) and starts a new
    /// one with a new key. Whatever was queued in the old one is lost, as the UI warns.
    pub async fn reset_cache(&self) -> Result<(), AppError> {
        let username = self.actor().await?;
        self.refuse_if_locked()?;
        let path = self.cache_path(&username)?;
        *self.cache.lock().await = None;
        let stamp = (self.clock)().unix_timestamp().to_string();
        Cache::move_aside(&path, &stamp)?;
        let key = new_key()?;
        self.cache_keys()
            .save_cache_key(&username, to_hex(&key))
            .await?;
        self.cache().await.map(|_| ())
    }

    fn cache_keys(&self) -> RefreshTokenVault {
        RefreshTokenVault::new(
            &self.profile.name,
            &self.profile.client_id,
            self.profile.keychain,
        )
    }

    /// `{cache dir}/{profile}/{hash of user}.db`: no user name in clear on disk.
    fn cache_path(&self, username: &str) -> Result<PathBuf, AppError> {
        let dir = self.cache_dir.as_ref().ok_or(AppError::NoOfflineCache)?;
        let user = hex::encode(&Sha256::digest(username.as_bytes())[..8]);
        Ok(dir.join(&self.profile.name).join(format!("{user}.db")))
    }
}

/// Waits for (then holds, until dropped) the exclusive lock on `{db}.lock` beside the cache.
async fn lock_beside(db: &std::path::Path) -> Result<std::fs::File, AppError> {
    let io = |e: std::io::Error| AppError::from(CacheError::Io(e.to_string()));
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
