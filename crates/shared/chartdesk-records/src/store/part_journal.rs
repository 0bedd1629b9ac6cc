//! Where a multipart upload records its progress, so a process killed mid-transfer resumes
//! with the parts already sent instead of starting over. The cloud layer only defines the
//! contract; the encrypted cache keeps the records (cache/multipart_journal.rs).

use futures_util::future::BoxFuture;

/// One part S3 has accepted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordedPart {
    pub number: i32,
    pub etag: String,
    /// Base64 SHA-256 of the part, as sent.
    pub sha256: String,
}

/// A multipart upload in progress for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedUpload {
    pub upload_id: String,
    pub parts: Vec<RecordedPart>,
}

/// Contract: `part_done` is durable when its future completes; `recall` returns what was
/// recorded for the key since the last `forget`. Failures to record are the journal's own
/// concern (a lost record only means resending parts).
pub trait PartJournal: Send + Sync {
    fn recall<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Option<RecordedUpload>>;
    fn started<'a>(&'a self, key: &'a str, upload_id: &'a str) -> BoxFuture<'a, ()>;
    fn part_done<'a>(&'a self, key: &'a str, part: RecordedPart) -> BoxFuture<'a, ()>;
    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()>;
}
