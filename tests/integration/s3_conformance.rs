//! One contract, two S3 servers (DESIGN.md §6): every test here runs against moto and against
//! s3s-fs, which checks SigV4 signatures and presigned expiry. Where a server lacks a feature
//! the test states it in the assertion, so the gaps are recorded, not hidden.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use bytes::Bytes;
use chartdesk::cloud::object_store::Write;
use chartdesk::cloud::transfer::MULTIPART_THRESHOLD;
use chartdesk::cloud::{CloudClients, ObjectStore, Progress, StoreError};
use tokio_util::sync::CancellationToken;

use chartdesk::sandbox::launch::Supervised;

use crate::local_cloud::{cloud, free_port};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Server {
    Moto,
    S3sFs,
}

impl Server {
    /// Whether the server rejects a bad signature or an expired presigned URL.
    fn checks_signatures(self) -> bool {
        self == Server::S3sFs
    }
}

struct S3sFs {
    endpoint: String,
    _dir: tempfile::TempDir,
    _watcher: Supervised,
}

static S3S: OnceLock<Option<S3sFs>> = OnceLock::new();

fn s3s_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHARTDESK_S3S_FS") {
        return Some(p.into());
    }
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let installed = home.join(".cargo/bin/s3s-fs");
    installed.exists().then_some(installed)
}

/// s3s-fs on a free port over a temporary folder, stopped when this process ends. `None` only
/// when the binary is missing, which fails the tests that need it (setup.sh installs it).
fn s3s_fs() -> &'static S3sFs {
    S3S.get_or_init(|| {
        let binary = s3s_binary()?;
        let dir = tempfile::tempdir().ok()?;
        let port = free_port();
        let args = [
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            chartdesk::cloud::SANDBOX_ACCESS_KEY,
            "--secret-key",
            chartdesk::cloud::SANDBOX_SECRET_KEY,
            &dir.path().to_string_lossy(),
        ];
        let watcher = chartdesk_testkit::start_on_port("s3s-fs", &binary, &args, port)?;
        Some(S3sFs {
            endpoint: format!("http://127.0.0.1:{port}"),
            _dir: dir,
            _watcher: watcher,
        })
    })
    .as_ref()
    .expect("s3s-fs is not installed: run scripts/setup.sh (cargo install s3s-fs)")
}

/// A store on `server` with a fresh bucket of its own.
async fn store(server: Server, bucket: &str) -> (ObjectStore, aws_sdk_s3::Client) {
    let mut profile = cloud().profile();
    if server == Server::S3sFs {
        profile.endpoint = Some(s3s_fs().endpoint.clone());
    }
    profile.bucket = bucket.to_string();
    let clients = CloudClients::new(&profile).await;
    let store = clients.store(&profile);
    store.ensure_bucket().await.unwrap();
    (store, clients.s3)
}

const SERVERS: [Server; 2] = [Server::Moto, Server::S3sFs];

async fn upload(store: &ObjectStore, key: &str, body: Bytes) -> Result<(), StoreError> {
    store
        .upload(
            key,
            body,
            "application/octet-stream",
            &Progress::silent(),
            &CancellationToken::new(),
        )
        .await
}

fn noise(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed)
        .collect()
}

#[tokio::test]
async fn json_round_trips_and_create_never_overwrites() {
    for server in SERVERS {
        let (store, _) = store(server, "conformance-json").await;
        let key = format!("records/{}.json", uuid::Uuid::now_v7());
        let etag = store
            .put_json(&key, &serde_json::json!({"n": 1}), Write::Create)
            .await
            .unwrap();
        let again = store
            .put_json(&key, &serde_json::json!({"n": 2}), Write::Create)
            .await;
        let read = store.get_json::<serde_json::Value>(&key).await.unwrap();
        assert_eq!(
            read.unwrap().value["n"],
            1,
            "{server:?}: create kept the first"
        );
        // Both refuse a second create of the same key (412).
        assert!(
            matches!(again, Err(StoreError::Conflict)),
            "{server:?}: {again:?}"
        );
        let stale = store
            .put_json(
                &key,
                &serde_json::json!({"n": 3}),
                Write::IfMatch("\"0\"".into()),
            )
            .await;
        // Both refuse a write naming a stale ETag (412).
        assert!(
            matches!(stale, Err(StoreError::Conflict)),
            "{server:?}: {stale:?} (etag was {etag})"
        );
    }
}

#[tokio::test]
async fn a_small_file_goes_up_by_presigned_put_and_its_checksum_is_verified() {
    for server in SERVERS {
        let (store, _) = store(server, "conformance-small").await;
        let key = format!("docs/{}.pdf", uuid::Uuid::now_v7());
        let body = Bytes::from(noise(300_000, 1));
        let progress = Progress::silent();
        store
            .upload(
                &key,
                body.clone(),
                "application/pdf",
                &progress,
                &CancellationToken::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{server:?}: {e}"));
        let (read, _) = store.get_bytes(&key).await.unwrap().unwrap();
        assert_eq!(read, body.to_vec(), "{server:?}");
        // Sending it again is harmless: the same bytes are already there.
        upload(&store, &key, body).await.unwrap();
    }
}

#[tokio::test]
async fn a_file_above_8_mib_goes_up_in_parallel_parts_and_reads_back_whole() {
    for server in SERVERS {
        let (store, s3) = store(server, "conformance-multipart").await;
        let key = format!("docs/{}.tif", uuid::Uuid::now_v7());
        let body = Bytes::from(noise(MULTIPART_THRESHOLD * 2 + 12_345, 2));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let progress = Progress::new(move |sent, total| log.lock().unwrap().push((sent, total)));
        progress.expect(body.len() as u64);
        store
            .upload(
                &key,
                body.clone(),
                "image/tiff",
                &progress,
                &CancellationToken::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{server:?}: {e}"));
        let (read, _) = store.get_bytes(&key).await.unwrap().unwrap();
        assert!(read == body.to_vec(), "{server:?}: the parts reassemble");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.last(), Some(&(body.len() as u64, body.len() as u64)));
        assert!(seen.len() > 100, "byte-level progress, not per part");
        assert_no_open_upload(server, &s3, store.bucket(), &key).await;
    }
}

#[tokio::test]
async fn a_different_object_already_under_the_key_is_reported_as_a_checksum_mismatch() {
    for server in SERVERS {
        let (store, _) = store(server, "conformance-mismatch").await;
        let key = format!("docs/{}.jpg", uuid::Uuid::now_v7());
        store.put_raw(&key, noise(1000, 3)).await.unwrap();
        let result = upload(&store, &key, Bytes::from(noise(1000, 4))).await;
        assert!(
            matches!(result, Err(StoreError::ChecksumMismatch)),
            "{server:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn a_cancelled_multipart_upload_leaves_no_object_and_no_open_upload() {
    for server in SERVERS {
        let (store, s3) = store(server, "conformance-cancel").await;
        let key = format!("docs/{}.tif", uuid::Uuid::now_v7());
        let body = Bytes::from(noise(MULTIPART_THRESHOLD * 3, 5));
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        let progress = Progress::new(move |sent, _| {
            if sent > 4 * 1024 * 1024 {
                trigger.cancel();
            }
        });
        progress.expect(body.len() as u64);
        let result = store
            .upload(&key, body, "image/tiff", &progress, &cancel)
            .await;
        assert!(matches!(result, Err(StoreError::Cancelled)), "{result:?}");
        assert_no_open_upload(server, &s3, store.bucket(), &key).await;
        assert!(!store.exists(&key).await.unwrap(), "{server:?}");
    }
}

#[tokio::test]
async fn presigned_urls_expire_and_bind_their_signature() {
    for server in SERVERS {
        let (store, s3) = store(server, "conformance-presign").await;
        let key = format!("docs/{}.pdf", uuid::Uuid::now_v7());
        store.put_raw(&key, b"%PDF-1.7".to_vec()).await.unwrap();
        let http = reqwest::Client::new();
        let fresh = presign(&s3, store.bucket(), &key, 900).await;
        assert_eq!(http.get(&fresh).send().await.unwrap().status(), 200);
        let tampered = fresh.replacen("X-Amz-Signature=", "X-Amz-Signature=0", 1);
        let status = http.get(&tampered).send().await.unwrap().status();
        let expect_refused = server.checks_signatures();
        assert_eq!(
            status.is_client_error(),
            expect_refused,
            "{server:?}: a tampered signature answered {status} (moto does not check signatures)"
        );
        let short = presign(&s3, store.bucket(), &key, 1).await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let status = http.get(&short).send().await.unwrap().status();
        assert_eq!(
            status.is_client_error(),
            expect_refused,
            "{server:?}: an expired URL answered {status} (moto does not check expiry)"
        );
    }
}

async fn presign(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, secs: u64) -> String {
    s3.get_object()
        .bucket(bucket)
        .key(key)
        .presigned(PresigningConfig::expires_in(Duration::from_secs(secs)).unwrap())
        .await
        .unwrap()
        .uri()
        .to_string()
}

/// Whether a multipart upload for `key` is still open. s3s-fs 0.14 does not implement
/// ListMultipartUploads (501): a recorded gap, so there only the missing object is checked.
/// No multipart upload is left open for `key`. s3s-fs answers ListMultipartUploads with 501,
/// so there only moto's run can show it; the assertion says which server could not.
async fn assert_no_open_upload(server: Server, s3: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    match s3.list_multipart_uploads().bucket(bucket).send().await {
        Ok(open) => assert!(
            !open.uploads().iter().any(|u| u.key() == Some(key)),
            "{server:?}: a multipart upload was left open"
        ),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 501) => assert_eq!(
            server,
            Server::S3sFs,
            "only s3s-fs cannot list open multipart uploads (checked on moto instead)"
        ),
        Err(e) => panic!("listing multipart uploads: {e:?}"),
    }
}

#[tokio::test]
async fn s3s_fs_reports_the_stored_sha256_on_head_and_moto_does_not() {
    for server in SERVERS {
        let (store, s3) = store(server, "conformance-head").await;
        let key = format!("docs/{}.pdf", uuid::Uuid::now_v7());
        let body = Bytes::from(noise(5000, 6));
        upload(&store, &key, body.clone()).await.unwrap();
        let head = s3
            .head_object()
            .bucket(store.bucket())
            .key(&key)
            .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        // Where the server reports none, `upload` verifies by reading the object back.
        let expected = chartdesk::cloud::object_store::sha256_base64(&body);
        let reported = head.checksum_sha256().map(str::to_string);
        match server {
            Server::Moto => assert_eq!(reported, None, "moto gap: no checksum on HEAD"),
            Server::S3sFs => assert_eq!(reported, Some(expected)),
        }
    }
}
