//! `InMemoryRecordStore`: the `RecordStore` contract held in a map, for the server's router
//! tests (no local cloud) and as the reference the conformance suite checks S3 against. It
//! keeps S3's semantics: ETags and compare-and-swap, create-only presigned PUTs, SHA-256
//! checksums checked on arrival and reported on HEAD (a multipart object's as the composite
//! `<b64>-<parts>`), and multipart uploads. Presigned URLs are `memory:` addresses that only
//! this store can serve (`send`, `fetch`); expiry is not checked.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use super::integrity::{base64_to_hex, composite_of};
use super::object_store::{sha256_base64, Write};
use super::record_store::{Completion, Fetched, Head, Presigned, RecordStore, UploadedPart};
use super::{Failure, StoreError};

/// What a client's HTTP requests to the `memory:` presigned URLs do.
mod presigned;
mod probes;

#[derive(Debug, Clone)]
struct Object {
    body: Vec<u8>,
    etag: String,
    /// Base64, as S3 reports it.
    sha256: String,
    tags: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Upload {
    key: String,
    /// Part number → (etag, bytes, base64 SHA-256).
    parts: BTreeMap<i32, (String, Vec<u8>, String)>,
}

#[derive(Debug, Default)]
struct Bucket {
    objects: BTreeMap<String, Object>,
    uploads: BTreeMap<String, Upload>,
    /// Makes every ETag and upload id unique.
    counter: u64,
}

#[derive(Debug, Default)]
pub struct InMemoryRecordStore {
    bucket: Mutex<Bucket>,
    /// Reads served (object reads and listings): tests count a route's requests with it.
    reads: std::sync::atomic::AtomicU64,
    /// Reads, writes and deletes of each key, for tests that count a route's requests on one
    /// object.
    by_key: Mutex<BTreeMap<String, u64>>,
    /// How long a delete takes to land (a slow network), and how many have begun: a test
    /// runs one request while another is deleting.
    delete_delay: Mutex<std::time::Duration>,
    deletes_begun: std::sync::atomic::AtomicU64,
    /// `slow_heads`: how long each HEAD waits (a complete still checking a distant bucket).
    head_delay: Mutex<std::time::Duration>,
}

fn refused(status: u16, code: &str) -> StoreError {
    StoreError::Failed(Failure::Service {
        status,
        code: Some(code.into()),
        message: None,
    })
}

/// `memory:{key}` or `memory:{key}?upload={id}&part={n}` (keys never hold `?`).
fn address(key: &str, part: Option<(&str, i32)>) -> String {
    match part {
        Some((id, n)) => format!("memory:{key}?upload={id}&part={n}"),
        None => format!("memory:{key}"),
    }
}

impl InMemoryRecordStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Bucket> {
        // A test that panicked while holding the lock leaves a usable map behind.
        self.bucket.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A store holding a copy of this one's objects (not its open uploads): a seeded store
    /// is written once and copied for each test.
    pub fn copy_objects(&self) -> Self {
        let bucket = self.lock();
        let copy = Bucket {
            objects: bucket.objects.clone(),
            uploads: BTreeMap::new(),
            counter: bucket.counter,
        };
        Self {
            bucket: Mutex::new(copy),
            ..Self::default()
        }
    }

    /// Sets one tag on an object, as a scanner would; false when the object is missing.
    pub fn set_tag(&self, key: &str, name: &str, value: &str) -> bool {
        let mut bucket = self.lock();
        let Some(object) = bucket.objects.get_mut(key) else {
            return false;
        };
        object.tags.insert(name.into(), value.into());
        true
    }

    fn store(
        &self,
        key: &str,
        body: Vec<u8>,
        write: Write,
        sha256: String,
    ) -> Result<String, StoreError> {
        self.count_on(key);
        let mut bucket = self.lock();
        let current = bucket.objects.get(key).map(|o| o.etag.as_str());
        let allowed = match (&write, current) {
            (Write::Create, Some(_)) => false,
            (Write::IfMatch(wanted), current) => current == Some(wanted.as_str()),
            _ => true,
        };
        if !allowed {
            return Err(StoreError::Conflict);
        }
        bucket.counter += 1;
        let etag = format!("\"{}\"", bucket.counter);
        let object = Object {
            body,
            etag: etag.clone(),
            sha256,
            tags: BTreeMap::new(),
        };
        bucket.objects.insert(key.to_string(), object);
        Ok(etag)
    }

    fn object(&self, key: &str) -> Option<Object> {
        self.count_read();
        self.count_on(key);
        self.lock().objects.get(key).cloned()
    }
}

#[async_trait]
impl RecordStore for InMemoryRecordStore {
    async fn get(&self, key: &str, if_none_match: Option<&str>) -> Result<Fetched, StoreError> {
        Ok(match self.object(key) {
            None => Fetched::Missing,
            Some(o) if Some(o.etag.as_str()) == if_none_match => Fetched::NotModified,
            Some(o) => Fetched::Body(o.body, o.etag),
        })
    }

    async fn get_small(&self, key: &str, max: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .object(key)
            .filter(|o| o.body.len() as u64 <= max)
            .map(|o| o.body))
    }

    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        _content_type: &str,
        write: Write,
    ) -> Result<String, StoreError> {
        let sha256 = sha256_base64(&body);
        self.store(key, body, write, sha256)
    }

    async fn put_download(
        &self,
        key: &str,
        path: &Path,
        sha256_b64: &str,
        _content_type: &str,
        _download_name: &str,
    ) -> Result<(), StoreError> {
        let body = tokio::fs::read(path)
            .await
            .map_err(|e| StoreError::Failed(Failure::Client(e.kind().to_string())))?;
        if sha256_base64(&body) != sha256_b64 {
            return Err(refused(400, "BadDigest"));
        }
        let sha256 = sha256_b64.to_string();
        self.store(key, body, Write::Create, sha256).map(|_| ())
    }

    async fn head(&self, key: &str) -> Result<Option<Head>, StoreError> {
        probes::wait(&self.head_delay).await;
        Ok(self.object(key).map(|o| Head {
            size: o.body.len() as u64,
            sha256: Some(o.sha256),
        }))
    }

    async fn sha256_of(&self, key: &str, limit: u64) -> Result<Option<String>, StoreError> {
        match self.object(key) {
            None => Ok(None),
            Some(o) if o.body.len() as u64 > limit => Err(StoreError::ChecksumMismatch),
            Some(o) => Ok(Some(hex::encode(Sha256::digest(&o.body)))),
        }
    }

    async fn download(
        &self,
        key: &str,
        path: &std::path::Path,
        limit: u64,
    ) -> Result<Option<String>, StoreError> {
        match self.object(key) {
            None => Ok(None),
            Some(o) if o.body.len() as u64 > limit => Err(StoreError::ChecksumMismatch),
            Some(o) => {
                tokio::fs::write(path, &o.body)
                    .await
                    .map_err(|_| StoreError::Unreachable)?;
                Ok(Some(hex::encode(Sha256::digest(&o.body))))
            }
        }
    }

    async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.object(key).is_some())
    }

    async fn tag(&self, key: &str, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.object(key).and_then(|o| o.tags.get(name).cloned()))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.deletes_begun
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.count_on(key);
        probes::wait(&self.delete_delay).await;
        self.lock().objects.remove(key);
        Ok(())
    }

    async fn list_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.count_read();
        Ok(self
            .lock()
            .objects
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect())
    }

    async fn list_keys_page(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        max: i32,
    ) -> Result<Vec<String>, StoreError> {
        self.count_read();
        let max = usize::try_from(max.clamp(0, 1000)).unwrap_or(0);
        Ok(self
            .lock()
            .objects
            .keys()
            .filter(|k| k.starts_with(prefix) && start_after.is_none_or(|s| k.as_str() > s))
            .take(max)
            .cloned()
            .collect())
    }

    async fn list_prefixes(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.count_read();
        let mut prefixes: Vec<String> = self
            .lock()
            .objects
            .keys()
            .filter_map(|k| {
                let rest = k.strip_prefix(prefix)?;
                let cut = rest.find('/')?;
                Some(format!("{prefix}{}", &rest[..=cut]))
            })
            .collect();
        prefixes.dedup();
        Ok(prefixes)
    }

    async fn presign_get(&self, key: &str, _expiry: Duration) -> Result<String, StoreError> {
        Ok(address(key, None))
    }

    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        sha256_b64: &str,
    ) -> Result<Presigned, StoreError> {
        Ok(Presigned {
            method: "PUT".into(),
            url: address(key, None),
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("x-amz-checksum-sha256".into(), sha256_b64.into()),
                ("if-none-match".into(), "*".into()),
            ],
        })
    }

    async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        sha256_b64: &str,
    ) -> Result<Presigned, StoreError> {
        Ok(Presigned {
            method: "PUT".into(),
            url: address(key, Some((upload_id, number))),
            headers: vec![("x-amz-checksum-sha256".into(), sha256_b64.into())],
        })
    }

    async fn create_multipart(&self, key: &str, _content_type: &str) -> Result<String, StoreError> {
        self.abort_abandoned(key).await;
        let mut bucket = self.lock();
        bucket.counter += 1;
        let id = format!("upload-{}", bucket.counter);
        let upload = Upload {
            key: key.to_string(),
            ..Default::default()
        };
        bucket.uploads.insert(id.clone(), upload);
        Ok(id)
    }

    async fn multipart_open(&self, key: &str, upload_id: &str) -> bool {
        self.lock()
            .uploads
            .get(upload_id)
            .is_some_and(|u| u.key == key)
    }

    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[UploadedPart],
    ) -> Result<Completion, StoreError> {
        let mut sorted = parts.to_vec();
        sorted.sort_by_key(|p| p.number);
        let (body, digests) = {
            let bucket = self.lock();
            let Some(upload) = bucket.uploads.get(upload_id).filter(|u| u.key == key) else {
                return Ok(Completion::NotCompleted);
            };
            if bucket.objects.contains_key(key) {
                return Ok(Completion::NotCompleted);
            }
            let mut body = Vec::new();
            let mut digests = Vec::new();
            for part in &sorted {
                match upload.parts.get(&part.number) {
                    Some((etag, bytes, sha)) if *etag == part.etag && *sha == part.sha256 => {
                        body.extend_from_slice(bytes);
                        digests.push(base64_to_hex(sha).unwrap_or_default());
                    }
                    _ => return Err(refused(400, "InvalidPart")),
                }
            }
            (body, digests)
        };
        let composite = composite_of(&digests).unwrap_or_default();
        let sha256 = format!("{composite}-{}", digests.len());
        match self.store(key, body, Write::Create, sha256) {
            // Another completion got there first.
            Err(StoreError::Conflict) => return Ok(Completion::NotCompleted),
            other => other?,
        };
        self.lock().uploads.remove(upload_id);
        Ok(Completion::Completed)
    }

    async fn abort_multipart(&self, key: &str, upload_id: &str) {
        let mut bucket = self.lock();
        if bucket.uploads.get(upload_id).is_some_and(|u| u.key == key) {
            bucket.uploads.remove(upload_id);
        }
    }

    async fn abort_abandoned(&self, key: &str) {
        self.lock().uploads.retain(|_, u| u.key != key);
    }
}
