//! `ObjectStore` as the server's `RecordStore`: each method is the S3 code beside it
//! (`object_store.rs`, `listing.rs`, `small_read.rs`, `s3_*.rs`).

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;

use super::object_store::Write;
use super::record_store::{Completion, Fetched, Head, Presigned, RecordStore, UploadedPart};
use super::{s3_multipart, s3_presign, ObjectStore, StoreError};

#[async_trait]
impl RecordStore for ObjectStore {
    async fn get(&self, key: &str, if_none_match: Option<&str>) -> Result<Fetched, StoreError> {
        self.read(key, if_none_match).await
    }

    async fn get_small(&self, key: &str, max: u64) -> Result<Option<Vec<u8>>, StoreError> {
        ObjectStore::get_small(self, key, max).await
    }

    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        write: Write,
    ) -> Result<String, StoreError> {
        self.put_bytes(key, body, content_type, write).await
    }

    async fn put_download(
        &self,
        key: &str,
        path: &Path,
        sha256_b64: &str,
        content_type: &str,
        download_name: &str,
    ) -> Result<(), StoreError> {
        ObjectStore::put_download(self, key, path, sha256_b64, content_type, download_name).await
    }

    async fn head(&self, key: &str) -> Result<Option<Head>, StoreError> {
        ObjectStore::head(self, key).await
    }

    async fn sha256_of(&self, key: &str, limit: u64) -> Result<Option<String>, StoreError> {
        ObjectStore::sha256_of(self, key, limit).await
    }

    async fn download(
        &self,
        key: &str,
        path: &std::path::Path,
        limit: u64,
    ) -> Result<Option<String>, StoreError> {
        ObjectStore::download(self, key, path, limit).await
    }

    async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        ObjectStore::exists(self, key).await
    }

    async fn tag(&self, key: &str, name: &str) -> Result<Option<String>, StoreError> {
        ObjectStore::tag(self, key, name).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        ObjectStore::delete(self, key).await
    }

    async fn list_keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        ObjectStore::list_keys(self, prefix).await
    }

    async fn list_keys_page(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        max: i32,
    ) -> Result<Vec<String>, StoreError> {
        ObjectStore::list_keys_page(self, prefix, start_after, max).await
    }

    async fn list_prefixes(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        ObjectStore::list_prefixes(self, prefix).await
    }

    async fn presign_get(&self, key: &str, expiry: Duration) -> Result<String, StoreError> {
        s3_presign::presign_get(self, key, expiry).await
    }

    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        sha256_b64: &str,
    ) -> Result<Presigned, StoreError> {
        s3_presign::presign_put(self, key, content_type, sha256_b64).await
    }

    async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        number: i32,
        sha256_b64: &str,
    ) -> Result<Presigned, StoreError> {
        s3_presign::presign_part(self, key, upload_id, number, sha256_b64).await
    }

    async fn create_multipart(&self, key: &str, content_type: &str) -> Result<String, StoreError> {
        s3_multipart::create_multipart(self, key, content_type).await
    }

    async fn multipart_open(&self, key: &str, upload_id: &str) -> bool {
        s3_multipart::multipart_open(self, key, upload_id).await
    }

    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[UploadedPart],
    ) -> Result<Completion, StoreError> {
        s3_multipart::complete_multipart(self, key, upload_id, parts).await
    }

    async fn abort_multipart(&self, key: &str, upload_id: &str) {
        s3_multipart::abort_multipart(self, key, upload_id).await
    }

    async fn abort_abandoned(&self, key: &str) {
        s3_multipart::abort_abandoned(self, key).await
    }
}
