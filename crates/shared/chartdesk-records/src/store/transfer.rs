//! Sending a file's bytes straight to the bucket through a URL the records server presigned,
//! with byte-level progress, retries of what may pass on a second try, and cancel; and the
//! upload protocol's sizes (the server plans parts with them, the desktop cuts them).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{stream, StreamExt};
use tokio_util::sync::CancellationToken;

use super::object_store::StoreError;
use super::Failure;

use chartdesk_domain::upload_protocol::ATTEMPTS;
pub use chartdesk_domain::upload_protocol::{MULTIPART_THRESHOLD, PARALLEL_PARTS, PART_SIZE};
/// Progress is reported as each slice of this size is handed to the network.
const SLICE: usize = 64 * 1024;

/// How long a PUT may take for each part's worth (8 MiB) of its body: the clients' request
/// limit, so a single PUT needs the same throughput as the parts it replaces (about 1.1 Mbit/s).
pub const PUT_TIME_PER_PART: Duration = Duration::from_secs(60);

/// How long a PUT of `len` bytes may take: `PUT_TIME_PER_PART` for each part's worth.
fn put_time(len: u64) -> Duration {
    let parts = u32::try_from(len.div_ceil(PART_SIZE as u64).max(1)).unwrap_or(u32::MAX);
    PUT_TIME_PER_PART.saturating_mul(parts)
}

/// A PUT's bytes as pieces read when the network takes them (e.g. a queued file from the
/// outbox's chunks), so a large single PUT is never held whole.
pub type Pieces = BoxStream<'static, Result<Bytes, std::io::Error>>;

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

/// Sends one presigned PUT of `len` bytes, read afresh for each attempt from `pieces`, with
/// exactly the signed `headers`, retrying what may pass on a second try (no answer, or a 5xx);
/// returns the ETag the store gave. Progress counts bytes as they leave and is taken back for a
/// failed attempt; a cancel stops at once.
pub async fn send_presigned(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    len: u64,
    pieces: impl Fn() -> Pieces,
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
        let unread = Arc::new(AtomicBool::new(false));
        let slices = counted_slices(
            pieces(),
            progress.clone(),
            (counted.clone(), unread.clone()),
            cancel.clone(),
        );
        let sending = request
            .timeout(put_time(len))
            .header(reqwest::header::CONTENT_LENGTH, len)
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
        // A body that could not be read is not the network's doing: another try reads it again
        // and fails again (the caller says why).
        let transient = !unread.load(Ordering::Relaxed)
            && (matches!(failure, Failure::Unreachable)
                || failure.status().is_some_and(|s| s >= 500));
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

/// The pieces as slices that count themselves sent as the HTTP client takes them, and fail
/// once the upload is cancelled; a piece that could not be read is marked in `unread`.
fn counted_slices(
    pieces: Pieces,
    progress: Arc<Progress>,
    (counted, unread): (Arc<AtomicU64>, Arc<AtomicBool>),
    cancel: CancellationToken,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    pieces
        .flat_map(|piece| {
            let slices: Vec<_> = match piece {
                Ok(piece) => (0..piece.len())
                    .step_by(SLICE)
                    .map(|start| Ok(piece.slice(start..(start + SLICE).min(piece.len()))))
                    .collect(),
                Err(e) => vec![Err(e)],
            };
            stream::iter(slices)
        })
        .map(move |slice| {
            if cancel.is_cancelled() {
                return Err(std::io::Error::other("cancelled"));
            }
            let slice = slice.inspect_err(|_| unread.store(true, Ordering::Relaxed))?;
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
    fn a_put_has_as_long_as_its_parts_would_have_had() {
        let part = PART_SIZE as u64;
        assert_eq!(put_time(0), PUT_TIME_PER_PART);
        assert_eq!(put_time(part), PUT_TIME_PER_PART);
        assert_eq!(put_time(part + 1), PUT_TIME_PER_PART * 2);
        assert_eq!(put_time(64 * 1024 * 1024), PUT_TIME_PER_PART * 8);
    }

    #[tokio::test]
    async fn slices_stop_with_an_error_once_cancelled() {
        let cancel = CancellationToken::new();
        let body = Bytes::from(vec![0u8; 3 * SLICE]);
        let counted = Arc::new(AtomicU64::new(0));
        let mut slices = Box::pin(counted_slices(
            stream::iter([Ok(body)]).boxed(),
            Progress::silent(),
            (counted.clone(), Arc::default()),
            cancel.clone(),
        ));
        assert!(slices.next().await.unwrap().is_ok());
        cancel.cancel();
        assert!(slices.next().await.unwrap().is_err());
        assert_eq!(counted.load(Ordering::Relaxed), SLICE as u64);
    }
}
