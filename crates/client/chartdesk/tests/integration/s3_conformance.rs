//! The store crate's conformance suite (`chartdesk_records::store::conformance`) on the S3 code
//! production runs (`ObjectStore`), against two S3 servers (ARCHITECTURE.md §7): moto, and s3s-fs,
//! which checks SigV4 signatures and presigned expiry. Bytes go up through the desktop's own
//! presigned sender. The tests after the suite record where a server differs from S3, in the
//! assertion, so the gaps are recorded, not hidden.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chartdesk::cloud::CloudClients;
use chartdesk_records::store::conformance::{self, PresignedClient};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::transfer::{send_presigned, Pieces};
use chartdesk_records::store::{ObjectStore, Progress, StoreError};
use chartdesk_records::store::{Presigned, RecordStore};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use chartdesk_sandbox::launch::Supervised;

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
        let dir = chartdesk_testkit::tempdir();
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
async fn store(server: Server, bucket: &str) -> ObjectStore {
    let mut profile = cloud().profile();
    if server == Server::S3sFs {
        profile.endpoint = Some(s3s_fs().endpoint.clone());
    }
    profile.bucket = bucket.to_string();
    let clients = CloudClients::new(&profile).await;
    // As the server holds it: every call goes to the bucket.
    let store = clients.store(&profile).trying_every_call();
    store.ensure_bucket().await.unwrap();
    store
}

const SERVERS: [Server; 2] = [Server::Moto, Server::S3sFs];

/// A client with no AWS credentials, as the desktop and the browser are: plain HTTP.
struct Http(reqwest::Client);

#[async_trait]
impl PresignedClient for Http {
    async fn put(&self, request: &Presigned, body: Bytes) -> Result<String, StoreError> {
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let (progress, cancel) = (Progress::silent(), CancellationToken::new());
        // In several pieces, as a queued file is read from the outbox's chunks.
        let pieces = || -> Pieces {
            let cut: Vec<_> = (0..body.len())
                .step_by(100_000)
                .map(|at| Ok(body.slice(at..(at + 100_000).min(body.len()))))
                .collect();
            futures_util::stream::iter(cut).boxed()
        };
        let len = body.len() as u64;
        send_presigned(
            &self.0,
            &request.url,
            &headers,
            len,
            pieces,
            &progress,
            &cancel,
        )
        .await
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, StoreError> {
        let answer = self.0.get(url).send().await.unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
        Ok(answer.bytes().await.unwrap().to_vec())
    }
}

#[tokio::test]
async fn moto_keeps_the_record_store_contract() {
    let store = store(Server::Moto, "conformance-moto").await;
    conformance::all(&store, &Http(reqwest::Client::new())).await;
}

#[tokio::test]
async fn s3s_fs_keeps_the_record_store_contract() {
    let store = store(Server::S3sFs, "conformance-s3s").await;
    conformance::all(&store, &Http(reqwest::Client::new())).await;
}

#[tokio::test]
async fn presigned_urls_expire_and_bind_their_signature() {
    for server in SERVERS {
        let store = store(server, "conformance-presign").await;
        let key = format!("docs/{}.pdf", uuid::Uuid::now_v7());
        store
            .put_bytes(&key, b"%PDF-1.7".to_vec(), "application/pdf", Write::Create)
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let fresh = store
            .presign_get(&key, Duration::from_secs(900))
            .await
            .unwrap();
        assert_eq!(http.get(&fresh).send().await.unwrap().status(), 200);
        let tampered = fresh.replacen("X-Amz-Signature=", "X-Amz-Signature=0", 1);
        let status = http.get(&tampered).send().await.unwrap().status();
        let expect_refused = server.checks_signatures();
        assert_eq!(
            status.is_client_error(),
            expect_refused,
            "{server:?}: a tampered signature answered {status} (moto does not check signatures)"
        );
        let short = store
            .presign_get(&key, Duration::from_secs(1))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let status = http.get(&short).send().await.unwrap().status();
        assert_eq!(
            status.is_client_error(),
            expect_refused,
            "{server:?}: an expired URL answered {status} (moto does not check expiry)"
        );
    }
}

#[tokio::test]
async fn s3s_fs_reports_the_stored_sha256_on_head_and_moto_does_not() {
    for server in SERVERS {
        let store = store(server, "conformance-head").await;
        let key = format!("docs/{}.pdf", uuid::Uuid::now_v7());
        let body = b"%PDF-1.7 a checksummed body".to_vec();
        store
            .put_bytes(&key, body.clone(), "application/pdf", Write::Create)
            .await
            .unwrap();
        let head = RecordStore::head(&store, &key).await.unwrap().unwrap();
        // Where the server reports none, verification reads the object back and hashes it.
        let expected = chartdesk_records::store::object_store::sha256_base64(&body);
        match server {
            Server::Moto => assert_eq!(head.sha256, None, "moto gap: no checksum on HEAD"),
            Server::S3sFs => assert_eq!(head.sha256, Some(expected)),
        }
    }
}
