//! The bucket as Chartdesk uses it: JSON records with compare-and-swap, and checksummed objects.
//!
//! Contract: every write is atomic (the whole body or nothing); `Write::Create` and
//! `Write::IfMatch` never overwrite a version the caller has not seen (`StoreError::Conflict`).

use aws_sdk_s3::primitives::ByteStream;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::connectivity::Connectivity;
use super::record_store::{Fetched, RecordStore};
use super::{classify, Failure};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("The records store could not be reached. Check the network connection and try again")]
    Unreachable,
    #[error("The record was changed by someone else at the same time")]
    Conflict,
    #[error("Access to the records store was refused")]
    Denied,
    #[error("A stored record is damaged and cannot be read")]
    Corrupt,
    #[error("The stored copy does not match the file sent (size or SHA-256 differs)")]
    ChecksumMismatch,
    #[error("Cancelled")]
    Cancelled,
    #[error("The records store failed: {0}")]
    Failed(Failure),
}

impl From<Failure> for StoreError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Unreachable => StoreError::Unreachable,
            Failure::Service { status: 412, .. } => StoreError::Conflict,
            Failure::Service { status: 403, .. } => StoreError::Denied,
            other => StoreError::Failed(other),
        }
    }
}

/// How a write treats an object that may already exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Only if no object exists (If-None-Match: *).
    Create,
    /// Only if the object still has this ETag (If-Match).
    IfMatch(String),
    /// Unconditional: for immutable content-addressed objects only.
    Overwrite,
}

/// A value read together with the ETag a later compare-and-swap must quote.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    pub value: T,
    pub etag: String,
}

/// The answer to a conditional read.
#[derive(Debug, Clone)]
pub enum Revalidated<T> {
    Unchanged,
    Changed(Versioned<T>),
    Missing,
}

#[derive(Debug, Clone)]
pub struct ObjectStore {
    pub(super) client: aws_sdk_s3::Client,
    pub(super) bucket: String,
    connectivity: Connectivity,
}

/// Base64 of the SHA-256 of `body`, the form `x-amz-checksum-sha256` takes.
pub fn sha256_base64(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body))
}

impl ObjectStore {
    pub fn new(client: aws_sdk_s3::Client, bucket: String) -> Self {
        Self {
            client,
            bucket,
            connectivity: Connectivity::skipping_while_offline(),
        }
    }

    /// For a server: every call goes to S3, even after one found it unreachable (a desktop
    /// skips calls while offline; a server must not fail every later user's request).
    pub fn trying_every_call(mut self) -> Self {
        self.connectivity = self.connectivity.trying_every_call();
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Whether the last call found the cloud unreachable: later calls fail at once (no
    /// connect timeouts piling up while offline) until `probe` reaches the cloud again, unless
    /// the store is `trying_every_call`.
    pub fn is_offline(&self) -> bool {
        self.connectivity.is_offline()
    }

    /// One cheap request that ignores the offline state; updates it. True when online.
    pub async fn probe(&self) -> bool {
        let reached = match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => true,
            Err(e) => !matches!(classify(e), Failure::Unreachable),
        };
        self.connectivity.set_offline(!reached);
        reached
    }

    /// Runs a call unless offline, and records whether it reached the cloud.
    pub(super) async fn watched<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        if self.connectivity.skips_call() {
            return Err(StoreError::Unreachable);
        }
        let result = call.await;
        self.connectivity.record(&result);
        result
    }

    /// Creates the bucket unless it exists (provisioning only).
    pub async fn ensure_bucket(&self) -> Result<(), StoreError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => Ok(()),
            Err(e) => match classify(e) {
                Failure::Service { status: 404, .. } => {
                    let created = self
                        .client
                        .create_bucket()
                        .bucket(&self.bucket)
                        .send()
                        .await;
                    match created.map_err(classify) {
                        Ok(_) => Ok(()),
                        Err(f) if matches!(f.code(), Some("BucketAlreadyOwnedByYou")) => Ok(()),
                        Err(f) => Err(f.into()),
                    }
                }
                other => Err(other.into()),
            },
        }
    }

    /// Reads and parses a JSON object; `None` when it does not exist.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<Versioned<T>>, StoreError> {
        self.as_dyn().get_json(key).await
    }

    /// Reads a JSON object only if its ETag is no longer `etag` (conditional GET: S3 answers
    /// 304 with no body when nothing changed).
    pub async fn get_json_if_changed<T: DeserializeOwned>(
        &self,
        key: &str,
        etag: &str,
    ) -> Result<Revalidated<T>, StoreError> {
        self.as_dyn().get_json_if_changed(key, etag).await
    }

    pub async fn get_bytes(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        self.as_dyn().get_bytes(key).await
    }

    /// Writes a JSON record under the given condition; returns the new ETag.
    pub async fn put_json<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        write: Write,
    ) -> Result<String, StoreError> {
        self.as_dyn().put_json(key, value, write).await
    }

    fn as_dyn(&self) -> &dyn RecordStore {
        self
    }

    /// One GET, conditional when `if_none_match` is given.
    pub(super) async fn read(
        &self,
        key: &str,
        if_none_match: Option<&str>,
    ) -> Result<Fetched, StoreError> {
        self.watched(async {
            let sent = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key)
                .set_if_none_match(if_none_match.map(str::to_string))
                .send()
                .await;
            let out = match sent {
                Ok(out) => out,
                Err(e) => {
                    return match classify(e) {
                        Failure::Service { status: 304, .. } => Ok(Fetched::NotModified),
                        Failure::Service { status: 404, .. } => Ok(Fetched::Missing),
                        other => Err(other.into()),
                    }
                }
            };
            let etag = out.e_tag().unwrap_or_default().to_string();
            let body = out
                .body
                .collect()
                .await
                .map_err(|_| StoreError::Unreachable)?;
            Ok(Fetched::Body(body.into_bytes().to_vec(), etag))
        })
        .await
    }

    /// Writes bytes with a SHA-256 checksum the server stores beside the object.
    pub async fn put_bytes(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        write: Write,
    ) -> Result<String, StoreError> {
        self.watched(async {
            let mut req = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_type(content_type)
                .checksum_sha256(sha256_base64(&body))
                .body(ByteStream::from(body));
            req = match write {
                Write::Create => req.if_none_match("*"),
                Write::IfMatch(etag) => req.if_match(etag),
                Write::Overwrite => req,
            };
            let out = req.send().await.map_err(classify)?;
            Ok(out.e_tag().unwrap_or_default().to_string())
        })
        .await
    }

    /// Writes a file already on disk as a download saved under `download_name`, create-only,
    /// streamed from its path (never whole in memory, and re-read if the SDK retries); S3
    /// checks it against `sha256_b64`.
    pub async fn put_download(
        &self,
        key: &str,
        path: &std::path::Path,
        sha256_b64: &str,
        content_type: &str,
        download_name: &str,
    ) -> Result<(), StoreError> {
        self.watched(async {
            let body = ByteStream::from_path(path)
                .await
                .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))?;
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_type(content_type)
                .content_disposition(format!("attachment; filename=\"{download_name}\""))
                .checksum_sha256(sha256_b64)
                .if_none_match("*")
                .body(body)
                .send()
                .await
                .map_err(classify)?;
            Ok(())
        })
        .await
    }

    pub async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        self.watched(async {
            match self
                .client
                .head_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
            {
                Ok(_) => Ok(true),
                Err(e) => match classify(e) {
                    Failure::Service { status: 404, .. } => Ok(false),
                    other => Err(other.into()),
                },
            }
        })
        .await
    }

    /// The value of one tag on an object (e.g. a scanner's `scan-status`); `None` when the
    /// object or the tag is absent.
    pub async fn tag(&self, key: &str, name: &str) -> Result<Option<String>, StoreError> {
        self.watched(async {
            match self
                .client
                .get_object_tagging()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
            {
                Ok(out) => Ok(out
                    .tag_set()
                    .iter()
                    .find(|t| t.key() == name)
                    .map(|t| t.value().to_string())),
                Err(e) => match classify(e) {
                    Failure::Service { status: 404, .. } => Ok(None),
                    other => Err(other.into()),
                },
            }
        })
        .await
    }

    /// Deletes one object; a missing object is not an error (deletes are retried safely).
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(e).into())
    }
}
