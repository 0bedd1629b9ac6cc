//! Opening the encrypted database: key, pragmas, migrations, and the reset path.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::schema::migrations;
use super::CacheError;

/// One user's encrypted cache. Calls are synchronous and short; callers on async tasks run
/// them with `spawn_blocking` (see `Cache::run`).
#[derive(Clone)]
pub struct Cache {
    connection: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("path", &self.path).finish()
    }
}

impl Cache {
    /// Opens (or creates) the database at `path` with `key` (32 bytes). A file that does not
    /// open with the key is `Unreadable` and left untouched.
    pub fn open(path: &Path, key: &[u8; 32]) -> Result<Self, CacheError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CacheError::Io(e.to_string()))?;
            restrict_to_owner(dir, 0o700);
        }
        let mut connection = Connection::open(path)?;
        // A wrong key is our own error to report, not SQLCipher's to print on stderr.
        let _ = connection.execute_batch("PRAGMA cipher_log_level = NONE;");
        let hex = hex::encode(key);
        // A raw 256-bit key (no passphrase derivation): the key is already random.
        connection.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))?;
        // The first read proves the key; a wrong key or a garbled file fails here.
        connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|_| CacheError::Unreadable)?;
        // Another process of the same user may be writing: wait for it rather than fail.
        connection.busy_timeout(std::time::Duration::from_secs(15))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        // The outbox must survive power loss: fsync on every commit.
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        migrations()
            .to_latest(&mut connection)
            .map_err(|e| CacheError::Database(e.to_string()))?;
        restrict_to_owner(path, 0o600);
        sweep_sealed(&connection, path);
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
            path: path.to_path_buf(),
        })
    }

    /// Moves an unreadable cache (and its WAL) aside so a fresh one can be created; the old
    /// file is kept for the records team, never opened without its key.
    pub fn move_aside(path: &Path, stamp: &str) -> Result<PathBuf, CacheError> {
        let aside = path.with_extension(format!("unreadable-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", path.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&from, &to).map_err(|e| CacheError::Io(e.to_string()))?;
            }
        }
        // The sealed files' keys are in the old database: they go with it.
        let sealed = super::sealed::dir_of(path);
        if sealed.exists() {
            let to = PathBuf::from(format!("{}.outbox", aside.display()));
            std::fs::rename(&sealed, to).map_err(|e| CacheError::Io(e.to_string()))?;
        }
        Ok(aside)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One statement with owned parameters, on a blocking thread: the shape of most writes.
    pub(super) async fn execute(
        &self,
        sql: &'static str,
        values: Vec<rusqlite::types::Value>,
    ) -> Result<usize, CacheError> {
        self.run(move |c| Ok(c.execute(sql, rusqlite::params_from_iter(values))?))
            .await
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, CacheError> + Send + 'static,
    ) -> Result<T, CacheError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = connection
                .lock()
                .map_err(|_| CacheError::Database("a previous cache call panicked".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| CacheError::Database(e.to_string()))?
    }
}

/// Other accounts on the machine must not read the cache (the key is in this user's keychain
/// anyway; this is defence in depth).
fn restrict_to_owner(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// Removes sealed outbox files a crash left with no row (best effort).
fn sweep_sealed(connection: &Connection, path: &Path) {
    let recorded: Result<std::collections::HashSet<String>, _> = connection
        .prepare("SELECT doc_id FROM outbox")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        });
    // Without the list of rows nothing can be told an orphan.
    let Ok(recorded) = recorded else {
        return;
    };
    let removed = super::sealed::sweep(&super::sealed::dir_of(path), |id| recorded.contains(id));
    if removed > 0 {
        tracing::info!(removed, "removed outbox files a crash left behind");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::new_key;

    #[test]
    fn the_database_is_unreadable_without_its_key_and_has_no_plain_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let key = new_key().unwrap();
        let cache = Cache::open(&path, &key).unwrap();
        drop(cache);
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "encrypted, no header"
        );
        let other = new_key().unwrap();
        assert!(matches!(
            Cache::open(&path, &other),
            Err(CacheError::Unreadable)
        ));
        assert!(
            Cache::open(&path, &key).is_ok(),
            "the right key still opens it"
        );
    }

    #[test]
    fn a_garbled_file_is_unreadable_and_moving_it_aside_allows_a_fresh_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let key = new_key().unwrap();
        drop(Cache::open(&path, &key).unwrap());
        let mut bytes = std::fs::read(&path).unwrap();
        for b in bytes.iter_mut().take(64) {
            *b ^= 0x5a;
        }
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            Cache::open(&path, &key),
            Err(CacheError::Unreadable)
        ));
        let aside = Cache::move_aside(&path, "test").unwrap();
        assert!(aside.exists() && !path.exists());
        assert!(Cache::open(&path, &key).is_ok());
    }
}
