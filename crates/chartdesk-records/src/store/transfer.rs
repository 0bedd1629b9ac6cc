//! Sending a file's bytes straight to S3 and proving they arrived intact.
//!
//! Contract: `upload` writes the whole object or nothing, never overwrites an existing key
//! (If-None-Match: *), reports bytes as they leave, stops when cancelled (aborting any multipart
//! upload), and returns only after the stored size and SHA-256 match what was sent. A retried
//! write that finds the object already there counts as done when its checksum matches, so a
//! transfer can be repeated safely.
//!
//! Small files go up with one presigned PUT (15-minute expiry); files above 8 MiB as a multipart
//! upload whose parts (each with its own SHA-256) go up in parallel through presigned URLs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart};
use base64::Engine;
use bytes::Bytes;
use futures_util::{stream, StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::object_store::{sha256_base64, ObjectStore, StoreError};
use super::part_journal::{PartJournal, RecordedPart};
use super::{classify, Failure};

use chartdesk_domain::upload_protocol::ATTEMPTS;
pub use chartdesk_domain::upload_protocol::{MULTIPART_THRESHOLD, PARALLEL_PARTS, PART_SIZE};
/// How long a presigned URL stays valid.
pub const PRESIGNED_EXPIRY: Duration = Duration::from_secs(15 * 60);
/// Progress is reported as each slice of this size is handed to the network.
const SLICE: usize = 64 * 1024;

/// Bytes sent so far across every object of one upload, with a listener (a progress bar).
pub struct Progress {
    sent: AtomicU64,
    total: AtomicU64,
    listener: Box<dyn Fn(u64, u64) + Send + Sync>,
}

impl Progress {
    pub fn new(listener: impl Fn(u64, u64) + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Self {
            sent: AtomicU64::new(0),
            total: AtomicU64::new(0),
            listener: Box::new(listener),
        })
    }

    /// A progress nobody watches.
    pub fn silent() -> Arc<Self> {
        Self::new(|_, _| {})
    }

    /// Announces bytes that will be sent (the total grows as variants are made).
    pub fn expect(&self, bytes: u64) {
        self.total.fetch_add(bytes, Ordering::Relaxed);
        self.notify();
    }

    pub fn sent(&self) -> (u64, u64) {
        (
            self.sent.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Counts bytes as sent (a resumed upload's parts already in the store count at once).
    pub fn add(&self, bytes: u64) {
        self.sent.fetch_add(bytes, Ordering::Relaxed);
        self.notify();
    }

    /// A failed attempt's bytes will be sent again.
    fn take_back(&self, bytes: u64) {
        self.sent.fetch_sub(bytes, Ordering::Relaxed);
        self.notify();
    }

    fn notify(&self) {
        let (sent, total) = self.sent();
        (self.listener)(sent.min(total), total);
    }
}

/// What the stored object must match.
struct Expected {
    size: u64,
    /// Base64 SHA-256 of the whole body.
    sha256: String,
    /// For multipart: base64 SHA-256 of the parts' digests (S3's composite checksum).
    composite: Option<String>,
}

/// Who watches one transfer: its progress bar, its cancel button, and where a multipart
/// upload records its parts (to resume after a crash).
#[derive(Clone, Copy)]
struct Watch<'a> {
    progress: &'a Arc<Progress>,
    cancel: &'a CancellationToken,
    journal: Option<&'a dyn PartJournal>,
}

impl ObjectStore {
    /// Stores `body` under `key` (see the module contract).
    pub async fn upload(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        progress: &Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<(), StoreError> {
        self.upload_journaled(key, body, content_type, progress, cancel, None)
            .await
    }

    /// As `upload`; a multipart upload records its parts in `journal` and, when the journal
    /// remembers an unfinished upload for this key, resumes it.
    pub async fn upload_journaled(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        progress: &Arc<Progress>,
        cancel: &CancellationToken,
        journal: Option<&dyn PartJournal>,
    ) -> Result<(), StoreError> {
        self.watched(async {
            if cancel.is_cancelled() {
                return Err(StoreError::Cancelled);
            }
            // Each request races the cancel token (see `send`), so a cancelled multipart upload
            // still reaches its abort.
            let watch = Watch {
                progress,
                cancel,
                journal,
            };
            if body.len() > MULTIPART_THRESHOLD {
                self.multipart(key, body, content_type, watch).await
            } else {
                self.presigned_put(key, body, content_type, watch).await
            }
        })
        .await
    }

    async fn presigned_put(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        watch: Watch<'_>,
    ) -> Result<(), StoreError> {
        let expected = Expected {
            size: body.len() as u64,
            sha256: sha256_base64(&body),
            composite: None,
        };
        let presigned = self
            .client()
            .put_object()
            .bucket(self.bucket())
            .key(key)
            .content_type(content_type)
            .checksum_sha256(&expected.sha256)
            .if_none_match("*")
            .presigned(presigning()?)
            .await
            .map_err(classify)?;
        match self.send(&presigned, &body, watch).await {
            Ok(_) | Err(StoreError::Conflict) => self.verify(key, &expected).await,
            Err(e) => Err(e),
        }
    }

    async fn multipart(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        watch: Watch<'_>,
    ) -> Result<(), StoreError> {
        if self.exists(key).await? {
            // A repeated transfer of a document that already arrived.
            return self.verify(key, &expected_multipart(&body)).await;
        }
        let (upload_id, already) = match self.resumable(key, watch).await {
            Some(resumed) => resumed,
            None => (
                self.create_upload(key, content_type, watch).await?,
                Vec::new(),
            ),
        };
        let sent = self
            .send_parts(key, &upload_id, &body, &already, watch)
            .await;
        let completed = match sent {
            Ok(_) if watch.cancel.is_cancelled() => Err(StoreError::Cancelled),
            Ok(parts) => self.complete(key, &upload_id, parts).await,
            Err(e) => Err(e),
        };
        match completed {
            Ok(()) | Err(StoreError::Conflict) => {
                if let Some(journal) = watch.journal {
                    journal.forget(key).await;
                }
                self.verify(key, &expected_multipart(&body)).await
            }
            // Journaled and the network dropped: keep the parts for the next try.
            Err(StoreError::Unreachable) if watch.journal.is_some() => Err(StoreError::Unreachable),
            Err(e) => {
                // Nothing half-written may stay billed in the bucket.
                let _ = self
                    .client()
                    .abort_multipart_upload()
                    .bucket(self.bucket())
                    .key(key)
                    .upload_id(&upload_id)
                    .send()
                    .await;
                if let Some(journal) = watch.journal {
                    journal.forget(key).await;
                }
                Err(e)
            }
        }
    }

    async fn create_upload(
        &self,
        key: &str,
        content_type: &str,
        watch: Watch<'_>,
    ) -> Result<String, StoreError> {
        self.abort_abandoned(key).await;
        let created = self
            .client()
            .create_multipart_upload()
            .bucket(self.bucket())
            .key(key)
            .content_type(content_type)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .send()
            .await
            .map_err(classify)?;
        let upload_id = created
            .upload_id()
            .ok_or_else(|| StoreError::Failed(Failure::Client("no upload id".into())))?
            .to_string();
        if let Some(journal) = watch.journal {
            journal.started(key, &upload_id).await;
        }
        Ok(upload_id)
    }

    /// The journal's unfinished upload for `key`, if S3 still has it: its id and the parts
    /// S3 lists with the ETags the journal recorded (others are sent again).
    async fn resumable(&self, key: &str, watch: Watch<'_>) -> Option<(String, Vec<CompletedPart>)> {
        let journal = watch.journal?;
        let recorded = journal.recall(key).await?;
        let listed = self
            .client()
            .list_parts()
            .bucket(self.bucket())
            .key(key)
            .upload_id(&recorded.upload_id)
            .send()
            .await;
        let on_server: Option<Vec<(i32, String)>> = match listed.map_err(classify) {
            Ok(listed) => Some(
                listed
                    .parts()
                    .iter()
                    .filter_map(|p| Some((p.part_number()?, p.e_tag()?.to_string())))
                    .collect(),
            ),
            // A 2xx answer the SDK cannot read (moto's ListParts has the wrong XML root):
            // trust the journal; a part S3 lacks fails the completion, which starts over.
            Err(Failure::Service { status, .. }) if (200..300).contains(&status) => None,
            Err(Failure::Client(_)) => None,
            // The upload is gone (completed, aborted or expired), or S3 is not there: start
            // a new one.
            Err(_) => {
                journal.forget(key).await;
                return None;
            }
        };
        let recorded_parts = recorded.parts.into_iter().filter(|p| {
            on_server
                .as_ref()
                .is_none_or(|listed| listed.contains(&(p.number, p.etag.clone())))
        });
        let kept: Vec<CompletedPart> = recorded_parts
            .map(|p| {
                CompletedPart::builder()
                    .part_number(p.number)
                    .e_tag(p.etag)
                    .checksum_sha256(p.sha256)
                    .build()
            })
            .collect();
        Some((recorded.upload_id, kept))
    }

    async fn send_parts(
        &self,
        key: &str,
        upload_id: &str,
        body: &Bytes,
        already: &[CompletedPart],
        watch: Watch<'_>,
    ) -> Result<Vec<CompletedPart>, StoreError> {
        let count = body.len().div_ceil(PART_SIZE);
        let part_of = |i: usize| body.slice(i * PART_SIZE..((i + 1) * PART_SIZE).min(body.len()));
        // Parts a resumed upload already has count as sent, if their bytes still match.
        let mut done: Vec<CompletedPart> = Vec::new();
        let mut resumed_bytes = 0;
        for part in already {
            let i = (part.part_number().unwrap_or(0) - 1) as usize;
            if i < count && part.checksum_sha256() == Some(sha256_base64(&part_of(i)).as_str()) {
                resumed_bytes += part_of(i).len() as u64;
                done.push(part.clone());
            }
        }
        // One step on the progress bar: the resumed share.
        if resumed_bytes > 0 {
            watch.progress.add(resumed_bytes);
        }
        let missing =
            (0..count).filter(|i| !done.iter().any(|p| p.part_number() == Some(*i as i32 + 1)));
        let parts = missing.map(|i| {
            let part = part_of(i);
            let number = i as i32 + 1;
            async move {
                let checksum = sha256_base64(&part);
                let presigned = self
                    .client()
                    .upload_part()
                    .bucket(self.bucket())
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(number)
                    .checksum_sha256(&checksum)
                    .presigned(presigning()?)
                    .await
                    .map_err(classify)?;
                let etag = self.send(&presigned, &part, watch).await?;
                if let Some(journal) = watch.journal {
                    let recorded = RecordedPart {
                        number,
                        etag: etag.clone(),
                        sha256: checksum.clone(),
                    };
                    journal.part_done(key, recorded).await;
                }
                Ok::<_, StoreError>(
                    CompletedPart::builder()
                        .part_number(number)
                        .e_tag(etag)
                        .checksum_sha256(checksum)
                        .build(),
                )
            }
        });
        let sent: Vec<CompletedPart> = stream::iter(parts)
            .buffer_unordered(PARALLEL_PARTS)
            .try_collect()
            .await?;
        done.extend(sent);
        done.sort_by_key(|p| p.part_number());
        Ok(done)
    }

    async fn complete(
        &self,
        key: &str,
        upload_id: &str,
        parts: Vec<CompletedPart>,
    ) -> Result<(), StoreError> {
        self.client()
            .complete_multipart_upload()
            .bucket(self.bucket())
            .key(key)
            .upload_id(upload_id)
            .if_none_match("*")
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(e).into())
    }

    /// A run killed mid-transfer leaves its multipart upload open (and billed): abort any for
    /// this key before starting again. Best effort; servers without the listing (s3s-fs)
    /// are skipped.
    pub async fn abort_abandoned(&self, key: &str) {
        let Ok(open) = self
            .client()
            .list_multipart_uploads()
            .bucket(self.bucket())
            .prefix(key)
            .send()
            .await
        else {
            return;
        };
        for upload in open.uploads() {
            if let (Some(k), Some(id)) = (upload.key(), upload.upload_id()) {
                if k == key {
                    let _ = self
                        .client()
                        .abort_multipart_upload()
                        .bucket(self.bucket())
                        .key(k)
                        .upload_id(id)
                        .send()
                        .await;
                }
            }
        }
    }

    /// Sends one presigned request with `body` (see `send_presigned`).
    async fn send(
        &self,
        presigned: &PresignedRequest,
        body: &Bytes,
        watch: Watch<'_>,
    ) -> Result<String, StoreError> {
        let headers: Vec<(&str, &str)> = presigned.headers().collect();
        send_presigned(
            self.http(),
            presigned.uri(),
            &headers,
            body,
            watch.progress,
            watch.cancel,
        )
        .await
    }

    /// Reads back what the store holds: size always; the SHA-256 the server reports, or, when
    /// it reports none (moto), the object's bytes hashed here.
    async fn verify(&self, key: &str, expected: &Expected) -> Result<(), StoreError> {
        let head = self
            .client()
            .head_object()
            .bucket(self.bucket())
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .map_err(classify)?;
        if head.content_length().map(|n| n as u64) != Some(expected.size) {
            return Err(StoreError::ChecksumMismatch);
        }
        if let Some(stored) = head.checksum_sha256() {
            // A composite checksum reads "<base64>-<parts>".
            let stored = stored.split('-').next().unwrap_or_default();
            return if stored == expected.sha256 || Some(stored) == expected.composite.as_deref() {
                Ok(())
            } else {
                Err(StoreError::ChecksumMismatch)
            };
        }
        let out = self
            .client()
            .get_object()
            .bucket(self.bucket())
            .key(key)
            .send()
            .await
            .map_err(classify)?;
        let mut hasher = Sha256::new();
        let mut body = out.body;
        while let Some(chunk) = body.try_next().await.map_err(|_| StoreError::Unreachable)? {
            hasher.update(&chunk);
        }
        let stored = base64::engine::general_purpose::STANDARD.encode(hasher.finalize());
        if stored == expected.sha256 {
            Ok(())
        } else {
            Err(StoreError::ChecksumMismatch)
        }
    }

    /// Stores a small object through the SDK, unconditionally: for tests that need to plant
    /// a damaged copy.
    pub async fn put_raw(&self, key: &str, body: Vec<u8>) -> Result<(), StoreError> {
        self.client()
            .put_object()
            .bucket(self.bucket())
            .key(key)
            .body(ByteStream::from(body))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify(e).into())
    }
}

fn presigning() -> Result<PresigningConfig, StoreError> {
    PresigningConfig::expires_in(PRESIGNED_EXPIRY)
        .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))
}

fn expected_multipart(body: &Bytes) -> Expected {
    let mut composite = Sha256::new();
    for part in body.chunks(PART_SIZE) {
        composite.update(Sha256::digest(part));
    }
    Expected {
        size: body.len() as u64,
        sha256: sha256_base64(body),
        composite: Some(base64::engine::general_purpose::STANDARD.encode(composite.finalize())),
    }
}

/// Sends one presigned PUT with `body` and exactly the signed `headers`, retrying what may
/// pass on a second try (no answer, or a 5xx); returns the ETag the store gave. Progress counts
/// bytes as they leave and is taken back for a failed attempt; a cancel stops at once.
pub async fn send_presigned(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    body: &Bytes,
    progress: &Arc<Progress>,
    cancel: &CancellationToken,
) -> Result<String, StoreError> {
    let mut attempt = 1;
    loop {
        let mut request = http.put(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        // What this attempt has counted, to take back if it fails.
        let counted = Arc::new(AtomicU64::new(0));
        let slices = counted_slices(
            body.clone(),
            progress.clone(),
            counted.clone(),
            cancel.clone(),
        );
        let sending = request
            .header(reqwest::header::CONTENT_LENGTH, body.len())
            .body(reqwest::Body::wrap_stream(slices))
            .send();
        let answer = tokio::select! {
            answer = sending => answer,
            _ = cancel.cancelled() => {
                progress.take_back(counted.load(Ordering::Relaxed));
                return Err(StoreError::Cancelled);
            }
        };
        let failure = match answer {
            Ok(r) if r.status().is_success() => {
                let etag = r
                    .headers()
                    .get(reqwest::header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                return Ok(etag.to_string());
            }
            Ok(r) => Failure::Service {
                status: r.status().as_u16(),
                code: None,
                message: None,
            },
            Err(_) => Failure::Unreachable,
        };
        progress.take_back(counted.load(Ordering::Relaxed));
        let transient =
            matches!(failure, Failure::Unreachable) || failure.status().is_some_and(|s| s >= 500);
        if cancel.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        if !transient || attempt == ATTEMPTS {
            return Err(failure.into());
        }
        tokio::time::sleep(Duration::from_millis(250 * 2u64.pow(attempt))).await;
        attempt += 1;
    }
}

/// The body as slices that count themselves sent as the HTTP client takes them, and fail once
/// the upload is cancelled.
fn counted_slices(
    body: Bytes,
    progress: Arc<Progress>,
    counted: Arc<AtomicU64>,
    cancel: CancellationToken,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let len = body.len();
    stream::iter((0..len).step_by(SLICE)).map(move |start| {
        if cancel.is_cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        let slice = body.slice(start..(start + SLICE).min(len));
        counted.fetch_add(slice.len() as u64, Ordering::Relaxed);
        progress.add(slice.len() as u64);
        Ok(slice)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_never_reports_more_sent_than_expected() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let p = Progress::new(move |sent, total| log.lock().unwrap().push((sent, total)));
        p.expect(100);
        p.add(60);
        p.add(60);
        p.take_back(60);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(0, 100), (60, 100), (100, 100), (60, 100)]
        );
    }

    #[test]
    fn a_multipart_body_expects_s3_composite_checksum_of_its_part_digests() {
        let body = Bytes::from(vec![7u8; PART_SIZE + 10]);
        let expected = expected_multipart(&body);
        let mut both = Vec::new();
        both.extend_from_slice(&Sha256::digest(&body[..PART_SIZE]));
        both.extend_from_slice(&Sha256::digest(&body[PART_SIZE..]));
        assert_eq!(expected.composite, Some(sha256_base64(&both)));
        assert_eq!(expected.sha256, sha256_base64(&body));
    }

    #[tokio::test]
    async fn slices_stop_with_an_error_once_cancelled() {
        let cancel = CancellationToken::new();
        let body = Bytes::from(vec![0u8; 3 * SLICE]);
        let counted = Arc::new(AtomicU64::new(0));
        let mut slices = Box::pin(counted_slices(
            body,
            Progress::silent(),
            counted.clone(),
            cancel.clone(),
        ));
        assert!(slices.next().await.unwrap().is_ok());
        cancel.cancel();
        assert!(slices.next().await.unwrap().is_err());
        assert_eq!(counted.load(Ordering::Relaxed), SLICE as u64);
    }
}
