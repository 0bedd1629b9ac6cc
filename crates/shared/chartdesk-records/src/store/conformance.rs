//! One conformance suite for every `RecordStore`: run as unit tests against
//! `InMemoryRecordStore` (below) and against moto and s3s-fs through `ObjectStore`
//! (crates/client/chartdesk/tests/integration/s3_conformance.rs), so the in-memory store the router tests use and the
//! S3 code production runs are held to the same contract. Bytes for presigned requests go
//! through a `PresignedClient`: over HTTP with the desktop's own sender for S3, through
//! `InMemoryRecordStore::send` in memory.
//!
//! Compiled into the library (not `cfg(test)`) so another crate's tests can run it; each
//! check panics with the step that broke the contract.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::integrity::{check_reported, verify, Checked, Expected};
use super::memory::InMemoryRecordStore;
use super::object_store::{sha256_base64, Revalidated, Write};
use super::record_store::{Completion, Presigned, RecordStore, UploadedPart, PRESIGNED_EXPIRY};
use super::transfer::PART_SIZE;
use super::StoreError;

/// What a client does with what the server presigned.
#[async_trait]
pub trait PresignedClient: Send + Sync {
    /// Sends `body` as the request says; the ETag the store gave.
    async fn put(&self, request: &Presigned, body: Bytes) -> Result<String, StoreError>;
    /// Follows a presigned GET; the body.
    async fn get(&self, url: &str) -> Result<Vec<u8>, StoreError>;
}

#[async_trait]
impl PresignedClient for InMemoryRecordStore {
    async fn put(&self, request: &Presigned, body: Bytes) -> Result<String, StoreError> {
        self.send(request, &body)
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, StoreError> {
        self.fetch(url)
    }
}

/// A prefix no earlier run used (S3 backends keep their objects between tests).
fn fresh(area: &str) -> String {
    format!("conformance/{area}/{}/", uuid::Uuid::now_v7())
}

fn noise(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed)
        .collect()
}

fn hex_sha256(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Every check, in turn.
pub async fn all(store: &dyn RecordStore, client: &dyn PresignedClient) {
    json_round_trips_and_create_never_overwrites(store).await;
    if_match_replaces_only_the_version_read(store).await;
    missing_objects_read_as_nothing(store).await;
    head_and_read_back_report_what_was_stored(store).await;
    listing_is_lexical_and_pages(store).await;
    a_download_is_written_once(store).await;
    a_presigned_put_stores_the_body_once_and_verifies(store, client).await;
    a_body_that_differs_from_its_checksum_never_verifies(store, client).await;
    multipart_parts_reassemble_and_verify(store, client).await;
    an_aborted_multipart_upload_completes_nothing(store, client).await;
}

pub async fn json_round_trips_and_create_never_overwrites(store: &dyn RecordStore) {
    let key = format!("{}record.json", fresh("json"));
    store
        .put_json(&key, &serde_json::json!({"n": 1}), Write::Create)
        .await
        .unwrap();
    let again = store
        .put_json(&key, &serde_json::json!({"n": 2}), Write::Create)
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict)),
        "a second create is refused: {again:?}"
    );
    let read = store.get_json::<serde_json::Value>(&key).await.unwrap();
    assert_eq!(read.unwrap().value["n"], 1, "create kept the first");
}

pub async fn if_match_replaces_only_the_version_read(store: &dyn RecordStore) {
    let key = format!("{}manifest.json", fresh("cas"));
    let first = store
        .put_json(&key, &serde_json::json!({"v": 1}), Write::Create)
        .await
        .unwrap();
    let second = store
        .put_json(
            &key,
            &serde_json::json!({"v": 2}),
            Write::IfMatch(first.clone()),
        )
        .await
        .unwrap();
    assert_ne!(first, second, "a write makes a new version");
    let stale = store
        .put_json(
            &key,
            &serde_json::json!({"v": 3}),
            Write::IfMatch(first.clone()),
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict)),
        "a write quoting a stale ETag is refused: {stale:?}"
    );
    let unchanged = store
        .get_json_if_changed::<serde_json::Value>(&key, &second)
        .await
        .unwrap();
    // s3s-fs 0.14 ignores If-None-Match on GET and sends the same version again: costlier,
    // never wrong.
    let same_version = match &unchanged {
        Revalidated::Unchanged => true,
        Revalidated::Changed(v) => v.etag == second,
        Revalidated::Missing => false,
    };
    assert!(
        same_version,
        "the current ETag reads no change: {unchanged:?}"
    );
    match store
        .get_json_if_changed::<serde_json::Value>(&key, &first)
        .await
        .unwrap()
    {
        Revalidated::Changed(v) => assert_eq!((v.value["v"].clone(), v.etag), (2.into(), second)),
        other => panic!("an old ETag reads the new version: {other:?}"),
    }
}

pub async fn missing_objects_read_as_nothing(store: &dyn RecordStore) {
    let key = format!("{}absent.pdf", fresh("missing"));
    assert!(store.get_bytes(&key).await.unwrap().is_none());
    assert!(store.head(&key).await.unwrap().is_none());
    assert!(!store.exists(&key).await.unwrap());
    assert!(store.get_small(&key, 10).await.unwrap().is_none());
    assert!(store.sha256_of(&key, 10).await.unwrap().is_none());
    let revalidated = store
        .get_json_if_changed::<serde_json::Value>(&key, "\"1\"")
        .await
        .unwrap();
    assert!(matches!(revalidated, Revalidated::Missing));
    store
        .delete(&key)
        .await
        .expect("deleting what is gone is no error");
}

pub async fn head_and_read_back_report_what_was_stored(store: &dyn RecordStore) {
    let key = format!("{}scan.pdf", fresh("head"));
    let body = noise(5000, 6);
    store
        .put_bytes(&key, body.clone(), "application/pdf", Write::Create)
        .await
        .unwrap();
    let head = store.head(&key).await.unwrap().unwrap();
    assert_eq!(head.size, 5000);
    if let Some(reported) = head.sha256 {
        assert_eq!(
            reported,
            sha256_base64(&body),
            "a reported SHA-256 is right"
        );
    }
    let digest = hex_sha256(&body);
    assert_eq!(
        store.sha256_of(&key, 5000).await.unwrap(),
        Some(digest.clone())
    );
    let saved =
        std::env::temp_dir().join(format!("chartdesk-conformance-{}", uuid::Uuid::now_v7()));
    assert_eq!(
        store.download(&key, &saved, 5000).await.unwrap(),
        Some(digest),
        "a download hashes what it saves"
    );
    assert_eq!(std::fs::read(&saved).unwrap(), body);
    let _ = std::fs::remove_file(&saved);
    assert!(store
        .download("conformance/none", &saved, 10)
        .await
        .unwrap()
        .is_none());
    assert!(!saved.exists(), "a missing object leaves no file behind");
    assert!(matches!(
        store.download(&key, &saved, 4999).await,
        Err(StoreError::ChecksumMismatch)
    ));
    assert!(!saved.exists(), "a refused download leaves no part behind");
    let over = store.sha256_of(&key, 4999).await;
    assert!(
        matches!(over, Err(StoreError::ChecksumMismatch)),
        "longer than its record: {over:?}"
    );
    assert_eq!(store.get_small(&key, 5000).await.unwrap(), Some(body));
    assert_eq!(store.get_small(&key, 4999).await.unwrap(), None);
    store.delete(&key).await.unwrap();
    assert!(!store.exists(&key).await.unwrap(), "deleted");
}

pub async fn listing_is_lexical_and_pages(store: &dyn RecordStore) {
    let root = fresh("list");
    for name in ["b/2", "a/1", "a/3", "c"] {
        let key = format!("{root}{name}");
        store
            .put_bytes(&key, b"x".to_vec(), "text/plain", Write::Create)
            .await
            .unwrap();
    }
    let all = store.list_keys(&root).await.unwrap();
    let names: Vec<&str> = all.iter().map(|k| &k[root.len()..]).collect();
    assert_eq!(names, ["a/1", "a/3", "b/2", "c"]);
    let page = store
        .list_keys_page(&root, Some(&format!("{root}a/1")), 2)
        .await
        .unwrap();
    assert_eq!(page, [format!("{root}a/3"), format!("{root}b/2")]);
    let folders = store.list_prefixes(&root).await.unwrap();
    assert_eq!(folders, [format!("{root}a/"), format!("{root}b/")]);
}

pub async fn a_download_is_written_once(store: &dyn RecordStore) {
    let key = format!("{}export.zip", fresh("download"));
    let body = noise(3000, 9);
    let path = std::env::temp_dir().join(format!("conformance-{}.zip", uuid::Uuid::now_v7()));
    std::fs::write(&path, &body).unwrap();
    let sha = sha256_base64(&body);
    let zip = "application/zip";
    store
        .put_download(&key, &path, &sha, zip, "export.zip")
        .await
        .unwrap();
    let again = store
        .put_download(&key, &path, &sha, zip, "export.zip")
        .await;
    let _ = std::fs::remove_file(&path);
    assert!(
        matches!(again, Err(StoreError::Conflict)),
        "create-only: {again:?}"
    );
    assert_eq!(store.get_bytes(&key).await.unwrap().unwrap().0, body);
}

pub async fn a_presigned_put_stores_the_body_once_and_verifies(
    store: &dyn RecordStore,
    client: &dyn PresignedClient,
) {
    let key = format!("{}scan.pdf", fresh("presigned"));
    let body = Bytes::from(noise(300_000, 1));
    let sha = sha256_base64(&body);
    let request = store
        .presign_put(&key, "application/pdf", &sha)
        .await
        .unwrap();
    client.put(&request, body.clone()).await.unwrap();
    let digest = hex_sha256(&body);
    let expected = Expected {
        size: body.len() as u64,
        sha256_hex: &digest,
        part_sha256_hex: &[],
    };
    verify(store, &key, &expected).await.unwrap();
    check_reported(store, &key, &expected).await.unwrap();
    let url = store.presign_get(&key, PRESIGNED_EXPIRY).await.unwrap();
    assert!(client.get(&url).await.unwrap() == body, "the URL opens it");
    let again = client.put(&request, body).await;
    assert!(
        matches!(again, Err(StoreError::Conflict)),
        "a presigned PUT is create-only: {again:?}"
    );
    let other = hex_sha256(b"something else");
    let wrong = Expected {
        sha256_hex: &other,
        ..expected
    };
    let refused = verify(store, &key, &wrong).await;
    assert!(matches!(refused, Err(StoreError::ChecksumMismatch)));
}

/// Real S3 and s3s-fs refuse the body; moto stores it, and verification catches it.
pub async fn a_body_that_differs_from_its_checksum_never_verifies(
    store: &dyn RecordStore,
    client: &dyn PresignedClient,
) {
    let key = format!("{}photo.jpg", fresh("tampered"));
    let declared = noise(1000, 3);
    let sent = Bytes::from(noise(1000, 4));
    let sha = sha256_base64(&declared);
    let request = store.presign_put(&key, "image/jpeg", &sha).await.unwrap();
    let _ = client.put(&request, sent).await;
    let digest = hex_sha256(&declared);
    let expected = Expected {
        size: 1000,
        sha256_hex: &digest,
        part_sha256_hex: &[],
    };
    let verified = verify(store, &key, &expected).await;
    assert!(
        matches!(verified, Err(StoreError::ChecksumMismatch)),
        "{verified:?}"
    );
    // The upload's one-HEAD check never calls it whole: at most its size is proven, and the
    // worker's whole-file check marks it corrupted.
    let reported = check_reported(store, &key, &expected).await;
    assert!(
        matches!(
            reported,
            Err(StoreError::ChecksumMismatch) | Ok(Checked::SizeOnly)
        ),
        "{reported:?}"
    );
}

async fn send_parts(
    store: &dyn RecordStore,
    client: &dyn PresignedClient,
    key: &str,
    upload_id: &str,
    body: &[u8],
) -> Vec<UploadedPart> {
    let mut parts = Vec::new();
    for (i, chunk) in body.chunks(PART_SIZE).enumerate() {
        let number = i as i32 + 1;
        let sha256 = sha256_base64(chunk);
        let request = store
            .presign_part(key, upload_id, number, &sha256)
            .await
            .unwrap();
        let etag = client
            .put(&request, Bytes::copy_from_slice(chunk))
            .await
            .unwrap();
        parts.push(UploadedPart {
            number,
            etag,
            sha256,
        });
    }
    parts
}

pub async fn multipart_parts_reassemble_and_verify(
    store: &dyn RecordStore,
    client: &dyn PresignedClient,
) {
    let key = format!("{}scan.tif", fresh("multipart"));
    let body = noise(PART_SIZE + 12_345, 2);
    let upload_id = store.create_multipart(&key, "image/tiff").await.unwrap();
    assert!(store.multipart_open(&key, &upload_id).await);
    let mut parts = send_parts(store, client, &key, &upload_id, &body).await;
    parts.reverse();
    let done = store
        .complete_multipart(&key, &upload_id, &parts)
        .await
        .unwrap();
    assert_eq!(done, Completion::Completed, "parts complete in any order");
    assert!(store.get_bytes(&key).await.unwrap().unwrap().0 == body);
    let digest = hex_sha256(&body);
    let part_digests: Vec<String> = body.chunks(PART_SIZE).map(hex_sha256).collect();
    let expected = Expected {
        size: body.len() as u64,
        sha256_hex: &digest,
        part_sha256_hex: &part_digests,
    };
    verify(store, &key, &expected).await.unwrap();
    // S3 answers a replay 404/412 (`NotCompleted`); moto completes it again from the same
    // parts and s3s-fs 0.14 refuses it with 403. Whatever the answer, the object stays what
    // was sent (the server verifies after every completion).
    let _ = store.complete_multipart(&key, &upload_id, &parts).await;
    verify(store, &key, &expected).await.unwrap();
}

pub async fn an_aborted_multipart_upload_completes_nothing(
    store: &dyn RecordStore,
    client: &dyn PresignedClient,
) {
    let key = format!("{}scan.tif", fresh("abort"));
    let body = noise(PART_SIZE + 10, 5);
    let upload_id = store.create_multipart(&key, "image/tiff").await.unwrap();
    let parts = send_parts(store, client, &key, &upload_id, &body).await;
    store.abort_multipart(&key, &upload_id).await;
    // S3 answers 404 (`NotCompleted`); moto 5.2 answers 500: never `Completed`.
    let after = store.complete_multipart(&key, &upload_id, &parts).await;
    assert!(
        !matches!(after, Ok(Completion::Completed)),
        "an aborted upload is gone: {after:?}"
    );
    assert!(!store.exists(&key).await.unwrap(), "no object was made");
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! on_memory {
        ($($check:ident),* $(,)?) => {$(
            #[tokio::test]
            async fn $check() {
                super::$check(&InMemoryRecordStore::new()).await;
            }
        )*};
    }

    macro_rules! on_memory_with_client {
        ($($check:ident),* $(,)?) => {$(
            #[tokio::test]
            async fn $check() {
                let store = InMemoryRecordStore::new();
                super::$check(&store, &store).await;
            }
        )*};
    }

    on_memory!(
        json_round_trips_and_create_never_overwrites,
        if_match_replaces_only_the_version_read,
        missing_objects_read_as_nothing,
        head_and_read_back_report_what_was_stored,
        listing_is_lexical_and_pages,
        a_download_is_written_once,
    );

    on_memory_with_client!(
        a_presigned_put_stores_the_body_once_and_verifies,
        a_body_that_differs_from_its_checksum_never_verifies,
        multipart_parts_reassemble_and_verify,
        an_aborted_multipart_upload_completes_nothing,
    );

    #[tokio::test]
    async fn a_scanner_tag_reads_back_from_memory() {
        let store = InMemoryRecordStore::new();
        let dyn_store: &dyn RecordStore = &store;
        dyn_store
            .put_bytes("k", vec![1], "image/png", Write::Create)
            .await
            .unwrap();
        assert!(store.set_tag("k", "scan-status", "clean"));
        assert_eq!(
            dyn_store.tag("k", "scan-status").await.unwrap().as_deref(),
            Some("clean")
        );
    }
}
