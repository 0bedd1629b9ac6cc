//! One round of the outbox: each item claimed (one sender per item, an OS file lock), its
//! bytes sent, the round completed in one request, then the answers settled together
//! (`settle.rs`).

use std::sync::Arc;

use chartdesk_api::CompleteUpload;
use futures_util::future::join_all;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::cache::OutboxItem;
use crate::cloud::ServerError;
use crate::services::upload::prepare::Prepared;
use crate::services::upload::sender::Sender;
use crate::services::{AppError, Upload};
use chartdesk_domain::DocumentRow;
use chartdesk_records::store::Progress;

pub(in crate::services) enum Outcome {
    Sent(Option<Box<DocumentRow>>),
    Failed(AppError),
    Left(AppError),
    /// Another window or run is sending it now.
    Busy,
    /// The user cancelled it in the window: removed, nothing attached.
    Cancelled,
}

/// What a cancel means: the window's Cancel button removes the upload; Ctrl+C in the CLI (or
/// a background round stopped) leaves it queued for the next try.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(in crate::services) enum OnCancel {
    Remove,
    KeepQueued,
}

/// What became of one item of a completed batch, before it is settled.
pub(super) enum Answer {
    /// Nothing left to do (another sender holds it).
    Done(Result<Outcome, AppError>),
    /// The user cancelled it in the window: removed, nothing attached.
    Cancel(OutboxItem),
    /// Its complete's answer (`None`: it left the outbox meanwhile), to be settled: removed
    /// when attached, otherwise kept queued or failed.
    Settle(OutboxItem, Result<Option<Box<DocumentRow>>, AppError>),
}

/// One item after its send: its claim (if taken) and what the send came to.
pub(in crate::services) struct SentItem {
    pub item: OutboxItem,
    pub(super) claim: Option<Claim>,
    pub(super) result: Result<Sending, AppError>,
}

impl SentItem {
    /// The send found no network: later items need not try.
    pub(in crate::services) fn unreachable(&self) -> bool {
        matches!(
            &self.result,
            Err(AppError::Server(ServerError::Unreachable))
        )
    }
}

/// What sending an item's bytes came to.
pub(super) enum Sending {
    /// Sent, ready to complete.
    Ready(Box<CompleteUpload>),
    /// It left the outbox meanwhile.
    Gone,
    Busy,
}

/// One sender's claim on an outbox item: an exclusive OS lock on a file beside the cache, held
/// while the item is sent. The OS drops it when the holder ends, so a crashed or killed
/// sender never keeps an item from the next one.
pub(in crate::services) struct Claim {
    _held: std::fs::File,
}

impl Claim {
    fn path(cache: &crate::cache::Cache, doc_id: &str) -> std::path::PathBuf {
        cache
            .path()
            .with_extension("claims")
            .join(format!("{doc_id}.lock"))
    }

    /// `None` when another window or run holds the item now.
    pub(in crate::services) fn take(
        cache: &crate::cache::Cache,
        doc_id: &str,
    ) -> Result<Option<Self>, AppError> {
        let io = |e: std::io::Error| AppError::from(crate::cache::CacheError::Io(e.to_string()));
        let path = Self::path(cache, doc_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _held: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Once the item has left the outbox, its claim file goes too (best effort: a sender
    /// that opens it afresh finds the item gone).
    pub(in crate::services) fn forget(cache: &crate::cache::Cache, doc_id: &str) {
        let _ = std::fs::remove_file(Self::path(cache, doc_id));
    }
}

impl Sender<'_> {
    /// One round of queued items: each one's bytes sent (in parallel), then every one that
    /// got there completed in one request, so the server attaches them with one
    /// compare-and-swap per patient rather than one each.
    pub(in crate::services::upload) async fn send_round(
        self,
        round: &[OutboxItem],
        progress: &impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
        on_cancel: OnCancel,
    ) -> Vec<Result<Outcome, AppError>> {
        let cache = self.app.cache().await.ok();
        let sent = join_all(
            round
                .iter()
                .map(|item| self.claim_and_send(cache.as_ref(), item.clone(), progress, cancel)),
        )
        .await;
        self.finish_sent(sent, on_cancel).await
    }

    /// An item claimed (taken first, held until it is settled on every path), then its
    /// bytes sent under the claim: the pipeline's steps (`staged.rs`) one after another.
    pub(in crate::services::upload) async fn claim_and_send(
        self,
        cache: Option<&crate::cache::Cache>,
        item: OutboxItem,
        progress: &impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
    ) -> SentItem {
        let staged = self.claim_and_declare(cache, item, progress, cancel).await;
        let start = self.start_staged(&staged).await;
        self.send_staged(staged, start).await
    }

    /// Every item that got there completed in one request, then each settled; the claims
    /// are let go only once all are settled, so nobody sends one again meanwhile.
    pub(in crate::services::upload) async fn finish_sent(
        self,
        sent: Vec<SentItem>,
        on_cancel: OnCancel,
    ) -> Vec<Result<Outcome, AppError>> {
        let ready: Vec<CompleteUpload> = sent
            .iter()
            .filter_map(|s| match &s.result {
                Ok(Sending::Ready(c)) => Some(c.as_ref().clone()),
                _ => None,
            })
            .collect();
        let mut completed = self.complete_batch(ready).await.into_iter();
        let mut answers = Vec::with_capacity(sent.len());
        let mut held = Vec::with_capacity(sent.len());
        for SentItem {
            item,
            claim,
            result,
        } in sent
        {
            held.push(claim);
            let result = match result {
                Ok(Sending::Ready(_)) => completed
                    .next()
                    .unwrap_or(Err(AppError::Server(ServerError::Malformed)))
                    .map(|row| Some(Box::new(row))),
                Ok(Sending::Gone) => Ok(None),
                Ok(Sending::Busy) => {
                    answers.push(Answer::Done(Ok(Outcome::Busy)));
                    continue;
                }
                Err(e) => Err(e),
            };
            let cancelled = matches!(&result, Err(AppError::Server(ServerError::Cancelled)));
            answers.push(if cancelled && on_cancel == OnCancel::Remove {
                Answer::Cancel(item)
            } else {
                Answer::Settle(item, result)
            });
        }
        // Still under the claims: nobody picks an item up between its answer and its removal.
        let outcomes = self.settle_all(answers).await;
        drop(held);
        outcomes
    }

    /// Completes a batch, with any other sender's that are waiting (the window sends each
    /// file on its own: `Coalescer`); one answer per upload, in order.
    async fn complete_batch(
        self,
        ready: Vec<CompleteUpload>,
    ) -> Vec<Result<DocumentRow, AppError>> {
        if ready.is_empty() {
            return Vec::new();
        }
        // An answer lost with a batch dropped midway: tried again later (completes are
        // idempotent by document id).
        let lost = || Err(AppError::Server(ServerError::Unreachable));
        self.app
            .completions
            .submit(ready, |batch| self.complete_together(batch), lost)
            .await
    }

    /// Completes a batch; if the batch call itself fails, each is completed alone so every
    /// upload gets its own answer.
    async fn complete_together(
        self,
        ready: Vec<CompleteUpload>,
    ) -> Vec<Result<DocumentRow, AppError>> {
        if let Ok(results) = self.complete_uploads(ready.clone()).await {
            return results;
        }
        let mut results = Vec::with_capacity(ready.len());
        for one in ready {
            results.push(match self.complete_uploads(vec![one]).await {
                Ok(mut r) => r
                    .pop()
                    .unwrap_or(Err(AppError::Server(ServerError::Malformed))),
                Err(e) => Err(e),
            });
        }
        results
    }

    /// A queued item made ready to send; `None` when it left the outbox meanwhile.
    pub(super) async fn prepare_item(
        self,
        item: &OutboxItem,
        progress: &Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<Option<Prepared>, AppError> {
        let cache = self.app.cache().await?;
        // A file kept in chunks goes a part at a time; one queued before chunks is read whole.
        if let Some(chunked) = cache.outbox_rows().chunked(&item.doc_id).await? {
            let prepared = self
                .prepare_chunked(item, chunked, cache.clone(), progress)
                .await?;
            return Ok(Some(prepared));
        }
        let Some((bytes, replace_oldest)) = cache.outbox_rows().file(&item.doc_id).await? else {
            return Ok(None);
        };
        let mut upload = Upload::new(&item.mrn, &item.category, &item.file_name, bytes);
        upload.replace_oldest = replace_oldest;
        upload.doc_id = Uuid::parse_str(&item.doc_id).ok();
        upload.progress = progress.clone();
        upload.cancel = cancel.clone();
        Ok(Some(self.prepare_upload(upload).await?))
    }

    /// One queued item on its own (the window's add): bytes, then its complete.
    pub(in crate::services::upload) async fn send_queued(
        self,
        item: &OutboxItem,
        progress: Arc<Progress>,
        cancel: CancellationToken,
    ) -> Result<Outcome, AppError> {
        let round = std::slice::from_ref(item);
        let progress = move |_: &OutboxItem| progress.clone();
        let mut outcomes = self
            .send_round(round, &progress, &cancel, OnCancel::Remove)
            .await;
        outcomes
            .pop()
            .unwrap_or(Err(AppError::Server(ServerError::Malformed)))
    }
}
