//! The outbox in use: an upload is checked, then written to the encrypted cache in one
//! transaction, then sent. A row leaves the outbox only when the document is in the manifest
//! (S3 objects verified first). Retries reuse the queued doc id, so nothing is ever doubled.

use std::sync::Arc;

use futures_util::future::join_all;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use tokio_util::sync::CancellationToken;
use tracing::instrument;
use uuid::Uuid;

use super::{AppError, Services, Upload};
use crate::cache::{OutboxItem, OutboxState, QueuedUpload};
use crate::cloud::part_journal::PartJournal;
use crate::cloud::{Progress, ServerError};
use crate::domain::{Action, AttachError};
use crate::records::DocumentRow;
use chartdesk_api::CompleteUpload;

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
pub struct DrainReport {
    pub sent: u32,
    /// Refused for a reason only the user can settle (e.g. preop full).
    pub failed: u32,
    /// Still queued: the cloud could not be reached.
    pub left: u32,
    /// Each item this pass tried, with its outcome.
    pub items: Vec<DrainedItem>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DrainedItem {
    pub doc_id: String,
    pub file_name: String,
    /// "sent", "failed" or "left".
    pub outcome: String,
    pub message: Option<String>,
}

enum Outcome {
    Sent(Option<DocumentRow>),
    Failed(AppError),
    Left(AppError),
    /// Another window or run is sending it now (its claim has not run out).
    Busy,
}

/// What sending an item's bytes came to.
enum Sending {
    /// Sent; the claim is held until the item is settled.
    Ready(Box<CompleteUpload>, Claim),
    /// It left the outbox meanwhile.
    Gone,
    Busy,
}

/// One sender's claim on an outbox item: an exclusive OS lock on a file beside the cache, held
/// while the item is sent. The OS drops it when the holder ends, so a crashed or killed
/// sender never keeps an item from the next one.
struct Claim {
    _held: std::fs::File,
}

impl Claim {
    /// `None` when another window or run holds the item now.
    fn take(cache: &crate::cache::Cache, doc_id: &str) -> Result<Option<Self>, AppError> {
        let io = |e: std::io::Error| AppError::from(crate::cache::CacheError::Io(e.to_string()));
        let dir = cache.path().with_extension("claims");
        std::fs::create_dir_all(&dir).map_err(io)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{doc_id}.lock")))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _held: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

/// What adding a file from the window came to.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UploadOutcome {
    /// In the record now.
    Added { row: DocumentRow },
    /// Safe in the outbox; it goes up by itself when the cloud can be reached.
    Queued { doc_id: String, message: String },
}

impl Services {
    /// Checks the file as an upload would (role, patient MRN, category, content) and writes it
    /// to the outbox; returns its doc id. Durable once this returns.
    #[instrument(skip_all)]
    pub async fn queue_upload(&self, upload: Upload<'_>) -> Result<String, AppError> {
        let checked = self.check_upload(&upload).await?;
        let doc_id = upload.doc_id.unwrap_or_else(Uuid::now_v7).to_string();
        let queued_at = (self.clock)().format(&Rfc3339).unwrap_or_default();
        self.cache()
            .await?
            .queue_upload(QueuedUpload {
                doc_id: doc_id.clone(),
                mrn: checked.mrn.to_string(),
                category: checked.category.id().to_string(),
                file_name: checked.file.file_name,
                replace_oldest: upload.replace_oldest,
                bytes: upload.bytes,
                sha256: checked.sha256,
                queued_at,
            })
            .await?;
        Ok(doc_id)
    }

    pub async fn outbox(&self) -> Result<Vec<OutboxItem>, AppError> {
        self.authorize(Action::Upload).await?;
        Ok(self.cache().await?.outbox().await?)
    }

    /// Sends every queued upload, oldest first, `jobs` at a time; after a round that found
    /// the cloud unreachable the rest stay queued. `progress` gives each document its listener.
    #[instrument(skip_all)]
    pub async fn drain_outbox(
        &self,
        jobs: usize,
        progress: impl Fn(&OutboxItem) -> Arc<Progress>,
    ) -> Result<DrainReport, AppError> {
        self.drain_outbox_cancellable(jobs, progress, &CancellationToken::new())
            .await
    }

    /// As `drain_outbox`; a cancel stops the items in flight (they stay queued).
    pub async fn drain_outbox_cancellable(
        &self,
        jobs: usize,
        progress: impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<DrainReport, AppError> {
        self.authorize(Action::Upload).await?;
        let cache = self.cache().await?;
        let mut report = DrainReport::default();
        let (queued, failed): (Vec<_>, Vec<_>) = cache
            .outbox()
            .await?
            .into_iter()
            .partition(|i| i.state == OutboxState::Queued);
        report.failed += failed.len() as u32;
        // After a failure, ask the server once whether it is back before sending anything.
        let mut offline = self.seems_offline() && !self.is_online().await;
        if !offline {
            self.flush_audits().await?;
        }
        for round in queued.chunks(jobs.max(1)) {
            let outcomes = if offline {
                round
                    .iter()
                    .map(|_| Ok(Outcome::Left(ServerError::Unreachable.into())))
                    .collect()
            } else {
                self.send_round(round, &progress, cancel).await
            };
            for (item, outcome) in round.iter().zip(outcomes) {
                let (word, message) = match outcome? {
                    Outcome::Sent(_) => {
                        report.sent += 1;
                        ("sent", None)
                    }
                    Outcome::Failed(e) => {
                        report.failed += 1;
                        ("failed", Some(e.to_string()))
                    }
                    Outcome::Left(e) => {
                        offline = true;
                        report.left += 1;
                        ("left", Some(e.to_string()))
                    }
                    Outcome::Busy => {
                        report.left += 1;
                        let busy = "being sent by another Chartdesk window or run";
                        ("left", Some(busy.to_string()))
                    }
                };
                report.items.push(DrainedItem {
                    doc_id: item.doc_id.clone(),
                    file_name: item.file_name.clone(),
                    outcome: word.to_string(),
                    message,
                });
            }
        }
        Ok(report)
    }

    /// One round of queued items: each one's bytes sent (in parallel), then every one that
    /// got there completed in one request, so the server attaches them with one
    /// compare-and-swap per patient rather than one each.
    async fn send_round(
        &self,
        round: &[OutboxItem],
        progress: &impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Vec<Result<Outcome, AppError>> {
        let sent = join_all(
            round
                .iter()
                .map(|item| self.send_bytes(item, progress(item), cancel.child_token())),
        )
        .await;
        let ready: Vec<CompleteUpload> = sent
            .iter()
            .filter_map(|r| match r {
                Ok(Sending::Ready(c, _)) => Some(c.as_ref().clone()),
                _ => None,
            })
            .collect();
        let mut completed = self.complete_batch(ready).await.into_iter();
        let mut outcomes = Vec::with_capacity(round.len());
        for (item, sent) in round.iter().zip(sent) {
            let (result, claim) = match sent {
                Ok(Sending::Ready(_, claim)) => (
                    completed
                        .next()
                        .unwrap_or(Err(AppError::Server(ServerError::Malformed)))
                        .map(Some),
                    Some(claim),
                ),
                Ok(Sending::Gone) => (Ok(None), None),
                Ok(Sending::Busy) => {
                    outcomes.push(Ok(Outcome::Busy));
                    continue;
                }
                Err(e) => (Err(e), None),
            };
            outcomes.push(self.settle(item, result).await);
            // Held until the item is settled: nobody sends it again meanwhile.
            drop(claim);
        }
        outcomes
    }

    /// Completes a batch; if the batch call itself fails, each is completed alone so every
    /// upload gets its own answer.
    async fn complete_batch(
        &self,
        ready: Vec<CompleteUpload>,
    ) -> Vec<Result<DocumentRow, AppError>> {
        if ready.is_empty() {
            return Vec::new();
        }
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

    /// A queued item's bytes to S3 with its fixed doc id, under this sender's claim: nobody
    /// else sends it meanwhile (the background round and the window never both do).
    async fn send_bytes(
        &self,
        item: &OutboxItem,
        progress: Arc<Progress>,
        cancel: CancellationToken,
    ) -> Result<Sending, AppError> {
        let cache = self.cache().await?;
        let Some(claim) = Claim::take(&cache, &item.doc_id)? else {
            return Ok(Sending::Busy);
        };
        let Some((bytes, replace_oldest)) = cache.outbox_file(&item.doc_id).await? else {
            return Ok(Sending::Gone);
        };
        let mut upload = Upload::new(&item.mrn, &item.category, &item.file_name, bytes);
        upload.replace_oldest = replace_oldest;
        upload.doc_id = Uuid::parse_str(&item.doc_id).ok();
        upload.progress = progress.clone();
        upload.cancel = cancel.clone();
        let prepared = self.prepare_upload(upload).await?;
        let complete = self.send_prepared(prepared, &progress, &cancel).await?;
        Ok(Sending::Ready(Box::new(complete), claim))
    }

    /// One queued item on its own (the window's add): bytes, then its complete.
    async fn send_queued(
        &self,
        item: &OutboxItem,
        progress: Arc<Progress>,
        cancel: CancellationToken,
    ) -> Result<Outcome, AppError> {
        let round = std::slice::from_ref(item);
        let progress = move |_: &OutboxItem| progress.clone();
        let mut outcomes = self.send_round(round, &progress, &cancel).await;
        outcomes
            .pop()
            .unwrap_or(Err(AppError::Server(ServerError::Malformed)))
    }

    /// What an item's try came to, kept in the outbox: gone when attached, queued again when
    /// a later try may get past it, failed (for the user to decide) otherwise.
    async fn settle(
        &self,
        item: &OutboxItem,
        result: Result<Option<DocumentRow>, AppError>,
    ) -> Result<Outcome, AppError> {
        let cache = self.cache().await?;
        let settled = !matches!(&result, Err(e) if is_transient(e));
        if settled {
            // Nothing will resume this upload's parts: its journal goes too.
            if let Ok(id) = Uuid::parse_str(&item.doc_id) {
                cache.forget(&super::upload_intents::journal_key(id)).await;
            }
        }
        match result {
            Ok(Some(row)) => {
                cache.outbox_remove(&item.doc_id).await?;
                Ok(Outcome::Sent(Some(row)))
            }
            Ok(None) => Ok(Outcome::Sent(None)),
            // Already attached: an earlier run landed it and was stopped before this row
            // was removed.
            Err(AppError::Attach(AttachError::AlreadyAttached)) => {
                cache.outbox_remove(&item.doc_id).await?;
                Ok(Outcome::Sent(None))
            }
            Err(e) if is_transient(&e) => {
                cache
                    .outbox_failed(
                        &item.doc_id,
                        OutboxState::Queued,
                        &e.to_string(),
                        &code_of(&e),
                    )
                    .await?;
                Ok(Outcome::Left(e))
            }
            Err(e) => {
                cache
                    .outbox_failed(
                        &item.doc_id,
                        OutboxState::Failed,
                        &e.to_string(),
                        &code_of(&e),
                    )
                    .await?;
                Ok(Outcome::Failed(e))
            }
        }
    }

    /// A file added in the window: queued first (durable), then sent at once. Offline it
    /// stays queued; a refusal the user is there to answer (preop full, a bad file) comes
    /// back as the error and leaves nothing queued. Without a cache, a direct upload.
    #[instrument(skip_all)]
    pub async fn add_document(&self, upload: Upload<'_>) -> Result<UploadOutcome, AppError> {
        if self.cache_dir.is_none() {
            return self
                .upload_document(upload)
                .await
                .map(|row| UploadOutcome::Added { row });
        }
        let progress = upload.progress.clone();
        let cancel = upload.cancel.clone();
        let doc_id = self.queue_upload(upload).await?;
        let item = self
            .cache()
            .await?
            .outbox()
            .await?
            .into_iter()
            .find(|i| i.doc_id == doc_id)
            .ok_or(AppError::NoSuchDocument)?;
        match self.send_queued(&item, progress, cancel.clone()).await? {
            Outcome::Sent(Some(row)) => Ok(UploadOutcome::Added { row }),
            Outcome::Sent(None) => Err(AppError::NoSuchDocument),
            // Cancel means cancel: nothing stays queued, sent or open.
            Outcome::Left(_) if cancel.is_cancelled() => {
                self.cancel_upload(&item).await?;
                Err(ServerError::Cancelled.into())
            }
            Outcome::Busy => Ok(UploadOutcome::Queued {
                doc_id,
                message: "Saved on this computer; another Chartdesk window is sending it".into(),
            }),
            Outcome::Left(e) => Ok(UploadOutcome::Queued {
                doc_id,
                message: format!(
                    "Saved on this computer; it will upload when the network is back ({e})"
                ),
            }),
            Outcome::Failed(e) => {
                self.cache().await?.outbox_remove(&doc_id).await?;
                Err(e)
            }
        }
    }

    /// Removes a cancelled item and asks the server to abort what was sent of it.
    async fn cancel_upload(&self, item: &OutboxItem) -> Result<(), AppError> {
        let cache = self.cache().await?;
        cache.outbox_remove(&item.doc_id).await?;
        if let Ok(id) = Uuid::parse_str(&item.doc_id) {
            cache.forget(&super::upload_intents::journal_key(id)).await;
        }
        let (Ok(doc_id), Some(category)) = (
            Uuid::parse_str(&item.doc_id),
            crate::domain::Category::from_id(&item.category),
        ) else {
            return Ok(());
        };
        let abort = chartdesk_api::AbortUpload {
            doc_id,
            mrn: item.mrn.clone(),
            category,
        };
        let server = self.records_server_or_none()?;
        let token = self.access_token().await?;
        // Best effort: what is left unattached is an orphan no entry names, and the bucket's
        // lifecycle rule aborts an open multipart upload after a day.
        if let Err(e) = server.abort_upload(&token, &abort).await {
            let code = crate::ErrorCode::of(&e.into());
            tracing::warn!(?code, "a cancelled upload's objects were not removed");
        }
        Ok(())
    }

    /// The user's decision on a failed item: try again (optionally replacing the oldest
    /// preop image) or discard it.
    pub async fn retry_outbox_item(
        &self,
        doc_id: &str,
        replace_oldest: bool,
    ) -> Result<(), AppError> {
        self.authorize(Action::Upload).await?;
        Ok(self
            .cache()
            .await?
            .outbox_retry(doc_id, replace_oldest)
            .await?)
    }

    pub async fn discard_outbox_item(&self, doc_id: &str) -> Result<(), AppError> {
        self.authorize(Action::Upload).await?;
        Ok(self.cache().await?.outbox_remove(doc_id).await?)
    }
}

/// Failures a later try may get past: no network, a timeout, an expired URL, a busy record,
/// a cancel, an ended session.
fn is_transient(e: &AppError) -> bool {
    use chartdesk_api::ApiErrorCode;
    match e {
        AppError::Server(ServerError::Refused(body)) => matches!(
            body.code,
            ApiErrorCode::Unavailable | ApiErrorCode::Conflict | ApiErrorCode::Unauthenticated
        ),
        AppError::Server(
            ServerError::Unreachable | ServerError::Storage(_) | ServerError::Cancelled,
        ) => true,
        AppError::Contended => true,
        // A session that ended or lapsed: sign in again, then the item goes up.
        AppError::Auth(_) => true,
        _ => false,
    }
}

/// The error's `UiError` code as text (`preop_full`, `unreachable`, …), kept with the item.
fn code_of(e: &AppError) -> String {
    let code = crate::ErrorCode::of(e);
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
