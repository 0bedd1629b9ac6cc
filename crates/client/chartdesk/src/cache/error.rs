//! What can go wrong with the offline copy, said once for every part of the cache.

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("The offline copy on this computer cannot be opened with its key (it may be damaged, or its key was removed from the keychain). Reset offline data to continue; anything waiting to upload in it cannot be recovered")]
    Unreadable,
    #[error("The offline copy could not be written: {0}")]
    Io(String),
    #[error("The offline copy failed: {0}")]
    Database(String),
}

impl CacheError {
    /// What went wrong, for logs: the message may carry a path or SQLite's words about a row.
    pub fn kind(&self) -> &'static str {
        match self {
            CacheError::Unreadable => "unreadable",
            CacheError::Io(_) => "io",
            CacheError::Database(_) => "database",
        }
    }
}

impl From<rusqlite::Error> for CacheError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => CacheError::Unreadable,
            _ => CacheError::Database(e.to_string()),
        }
    }
}
