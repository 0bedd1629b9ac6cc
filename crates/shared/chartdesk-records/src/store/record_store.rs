//! The storage seam: everything the records server does with the bucket, as one trait with an
//! S3 implementation (`ObjectStore`) and an in-memory one (`InMemoryRecordStore`), both held
//! to one conformance suite (`conformance.rs`).
//!
//! Contract, for every implementation:
//! - a write is atomic (the whole body or nothing); `Write::Create` never replaces an object
//!   and `Write::IfMatch` only the version whose ETag it quotes, else `StoreError::Conflict`;
//! - a read of a missing object is `None`/`Missing`, never an error;
//! - `head` reports the size, and the SHA-256 wherever the store keeps one (a multipart
//!   object's is the composite of its parts' digests, possibly suffixed `-<parts>`);
//! - presigned requests name one exact key, carry their checksum (and create-only condition)
//!   inside the signature, and expire after `PRESIGNED_EXPIRY` unless told otherwise;
//! - a completed multipart upload is create-only, like a presigned PUT.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::object_store::{Revalidated, StoreError, Versioned, Write};
use super::Failure;

/// How long a presigned upload or open stays valid (one definition for every caller).
pub const PRESIGNED_EXPIRY: Duration = Duration::from_secs(15 * 60);

/// What one GET found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The bytes and the ETag a later compare-and-swap must quote.
    Body(Vec<u8>, String),
    /// A conditional read found the same version.
    NotModified,
    Missing,
}

/// What a HEAD reports of a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub size: u64,
    /// Base64 SHA-256 as the store reports it (`<b64>-<parts>` for an S3 multipart composite);
    /// `None` where the store keeps none (moto).
    pub sha256: Option<String>,
}

/// A request the server signed for a client to send as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presigned {
    pub method: String,
    pub url: String,
    /// Signed headers the client must send unchanged.
    pub headers: Vec<(String, String)>,
}

/// One part of a multipart upload as the store accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPart {
    pub number: i32,
    pub etag: String,
    /// Base64 SHA-256 declared for the part.
    pub sha256: String,
}

/// How a multipart completion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Completed,
    /// The object already exists or the upload is unknown (an earlier try finished or
    /// aborted it): whether the stored object is right is for verification to say.
    NotCompleted,
}

/// The bucket as the records server uses it (see the module contract). Dyn-compatible through
/// `async_trait` (boxed `Send` futures): the server holds `Arc<dyn RecordStore>` so tests can
/// run it on the in-memory store, and the boxing costs nothing beside a network call.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// One GET, conditional when `if_none_match` is given.
    async fn get(&self, key: &str, if_none_match: Option<&str>) -> Result<Fetched, StoreError>;

    /// The object's bytes when it holds at most `max` of them; `None` when larger or missing.
    async fn get_small(&self, key: &str, max: u64) -> Result<Option<Vec<u8>>, StoreError>;

    /// Writes bytes under the given condition, with a SHA-256 the store checks; returns the
    /// new ETag.
    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        write: Write,
    ) -> Result<String, StoreError>;

    /// Writes a file on disk, create-only, as a download saved under `download_name`; the
    /// store checks it against `sha256_b64`.
    async fn put_download(
        &self,
        key: &str,
        path: &Path,
        sha256_b64: &str,
        content_type: &str,
        download_name: &str,
    ) -> Result<(), StoreError>;

    /// Size and reported checksum; `None` when the object is not there.
    async fn head(&self, key: &str) -> Result<Option<Head>, StoreError>;

    /// Lower-case hex SHA-256 of the stored bytes, read back; `None` when missing, and
    /// `ChecksumMismatch` (never read on) when it holds more than `limit` bytes.
    async fn sha256_of(&self, key: &str, limit: u64) -> Result<Option<String>, StoreError>;

    /// The object written to `path`, streamed, and its hex SHA-256 (as `sha256_of`): the
    /// worker's one read of an original. `None` when missing; on anything but the whole object
    /// saved, no file is left at `path`.
    async fn download(
        &self,
        key: &str,
        path: &Path,
        limit: u64,
    ) -> Result<Option<String>, StoreError>;

    async fn exists(&self, key: &str) -> Result<bool, StoreError>;

    /// The value of one tag on an object; `None` when the object or the tag is absent.
    async fn tag(&self, key: &str, name: &str) -> Result<Option<String>, StoreError>;

    /// Deletes one object; a missing object is not an error (deletes are retried safely).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// Every key under `prefix`, in lexical order.
    async fn list_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError>;

    /// At most `max` keys under `prefix` in lexical order, starting after `start_after`.
    async fn list_keys_page(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        max: i32,
    ) -> Result<Vec<String>, StoreError>;

    /// The "folders" directly under `prefix` (keys cut after the next `/`).
    async fn list_prefixes(&self, prefix: &str) -> Result<Vec<String>, StoreError>;

    /// A GET of one object, valid for `expiry`.
    async fn presign_get(&self, key: &str, expiry: Duration) -> Result<String, StoreError>;

    /// A create-only PUT whose body must hash to `sha256_b64`.
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        sha256_b64: &str,
    ) -> Result<Presigned, StoreError>;

    /// One part of a multipart upload, whose body must hash to `sha256_b64`.
    async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        sha256_b64: &str,
    ) -> Result<Presigned, StoreError>;

    /// Starts a multipart upload with SHA-256 part checksums, first aborting any left open
    /// for this key (a client killed mid-transfer); returns its id.
    async fn create_multipart(&self, key: &str, content_type: &str) -> Result<String, StoreError>;

    /// Whether the store still has this upload open for this key. Where the store's answer
    /// cannot be read, it counts as open (a wrong guess fails the completion, which starts
    /// over).
    async fn multipart_open(&self, key: &str, upload_id: &str) -> bool;

    /// Completes an upload from its parts (in any order), create-only.
    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[UploadedPart],
    ) -> Result<Completion, StoreError>;

    /// Aborts one upload; best effort (an unknown upload is already gone).
    async fn abort_multipart(&self, key: &str, upload_id: &str);

    /// Aborts every upload left open for exactly this key; best effort.
    async fn abort_abandoned(&self, key: &str);
}

/// Reads and writes in the shapes callers use, over any store.
impl dyn RecordStore + '_ {
    pub async fn get_bytes(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        Ok(match self.get(key, None).await? {
            Fetched::Body(bytes, etag) => Some((bytes, etag)),
            Fetched::NotModified | Fetched::Missing => None,
        })
    }

    /// Reads and parses a JSON object; `None` when it does not exist.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<Versioned<T>>, StoreError> {
        let Some((bytes, etag)) = self.get_bytes(key).await? else {
            return Ok(None);
        };
        Ok(Some(parsed(&bytes, etag)?))
    }

    /// Reads a JSON object only if its ETag is no longer `etag`.
    pub async fn get_json_if_changed<T: DeserializeOwned>(
        &self,
        key: &str,
        etag: &str,
    ) -> Result<Revalidated<T>, StoreError> {
        Ok(match self.get(key, Some(etag)).await? {
            Fetched::NotModified => Revalidated::Unchanged,
            Fetched::Missing => Revalidated::Missing,
            Fetched::Body(bytes, etag) => Revalidated::Changed(parsed(&bytes, etag)?),
        })
    }

    /// Writes a JSON record under the given condition; returns the new ETag.
    pub async fn put_json<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        write: Write,
    ) -> Result<String, StoreError> {
        let body = serde_json::to_vec_pretty(value)
            .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))?;
        self.put(key, body, "application/json", write).await
    }

    pub async fn put_bytes(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        write: Write,
    ) -> Result<String, StoreError> {
        self.put(key, body, content_type, write).await
    }
}

fn parsed<T: DeserializeOwned>(bytes: &[u8], etag: String) -> Result<Versioned<T>, StoreError> {
    let value = serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt)?;
    Ok(Versioned { value, etag })
}
