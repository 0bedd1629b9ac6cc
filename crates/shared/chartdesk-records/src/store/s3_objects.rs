//! What the S3 store reads back to prove an upload: size and checksum by HEAD, the bytes
//! hashed where S3 reports no checksum (moto).

use aws_sdk_s3::types::ChecksumMode;
use sha2::{Digest, Sha256};

use super::record_store::Head;
use super::{classify, Failure, ObjectStore, StoreError};

impl ObjectStore {
    /// HEAD with checksums; `None` when the object is not there.
    pub async fn head(&self, key: &str) -> Result<Option<Head>, StoreError> {
        self.watched(async {
            let answer = self
                .client
                .head_object()
                .bucket(&self.bucket)
                .key(key)
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await;
            match answer.map_err(classify) {
                Ok(h) => Ok(Some(Head {
                    size: h
                        .content_length()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    sha256: h.checksum_sha256().map(str::to_string),
                })),
                Err(Failure::Service { status: 404, .. }) => Ok(None),
                Err(f) => Err(f.into()),
            }
        })
        .await
    }

    /// Hex SHA-256 of the stored bytes, streamed (see `RecordStore::sha256_of`).
    pub async fn sha256_of(&self, key: &str, limit: u64) -> Result<Option<String>, StoreError> {
        self.streamed(key, limit, None).await
    }

    /// The object streamed into a file, hashed on the way (see `RecordStore::download`).
    pub async fn download(
        &self,
        key: &str,
        path: &std::path::Path,
        limit: u64,
    ) -> Result<Option<String>, StoreError> {
        let saved = self.streamed(key, limit, Some(path)).await;
        if !matches!(saved, Ok(Some(_))) {
            // Missing, too long or cut off: nothing half-written is left for a caller to take
            // for the object (the file is created only once the GET answered).
            let _ = tokio::fs::remove_file(path).await;
        }
        saved
    }

    /// One GET streamed through SHA-256 (and into a file at `path` when given, created once the
    /// object is found); more than `limit` bytes is refused as a mismatch; `None` when missing.
    async fn streamed(
        &self,
        key: &str,
        limit: u64,
        path: Option<&std::path::Path>,
    ) -> Result<Option<String>, StoreError> {
        use tokio::io::AsyncWriteExt;
        self.watched(async {
            let sent = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await;
            let out = match sent.map_err(classify) {
                Ok(out) => out,
                Err(Failure::Service { status: 404, .. }) => return Ok(None),
                Err(f) => return Err(f.into()),
            };
            let mut file = match path {
                Some(path) => Some(
                    tokio::fs::File::create(path)
                        .await
                        .map_err(|_| StoreError::Unreachable)?,
                ),
                None => None,
            };
            let mut hasher = Sha256::new();
            let mut read = 0u64;
            let mut body = out.body;
            while let Some(chunk) = body.try_next().await.map_err(|_| StoreError::Unreachable)? {
                read += chunk.len() as u64;
                if read > limit {
                    return Err(StoreError::ChecksumMismatch);
                }
                hasher.update(&chunk);
                if let Some(file) = file.as_mut() {
                    file.write_all(&chunk)
                        .await
                        .map_err(|_| StoreError::Unreachable)?;
                }
            }
            if let Some(file) = file.as_mut() {
                file.flush().await.map_err(|_| StoreError::Unreachable)?;
            }
            Ok(Some(hex::encode(hasher.finalize())))
        })
        .await
    }
}
