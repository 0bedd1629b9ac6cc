//! The outbox in use: an upload is checked, then written to the encrypted cache in one
//! transaction, then sent. A row leaves the outbox only when the document is in the manifest
//! (S3 objects verified first). Retries reuse the queued doc id, so nothing is ever doubled.

mod cancel;
mod pipeline;
mod round;
mod settle;
mod staged;

use std::sync::Arc;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use tokio_util::sync::CancellationToken;
use tracing::instrument;
use uuid::Uuid;

use super::Upload;
use crate::cache::{OutboxItem, OutboxState, QueuedUpload};
use crate::cloud::ServerError;
use crate::services::remote_documents::ServerReads;
use crate::services::upload::sender::Sender;
use crate::services::{AppError, Services};
use chartdesk_domain::Action;
use chartdesk_domain::DocumentRow;
use chartdesk_records::store::part_journal::PartJournal;
use chartdesk_records::store::Progress;
use round::{Claim, Outcome};

/// How long a pass waits before sending again the items a busy record refused (conflict).
const BUSY_RETRY_WAITS: [std::time::Duration; 3] = [
    std::time::Duration::from_secs(1),
    std::time::Duration::from_secs(2),
    std::time::Duration::from_secs(4),
];

/// Refused because the record was busy: another complete of the upload at work, or too many
/// writers at once.
fn record_busy(e: &AppError) -> bool {
    matches!(e, AppError::Server(ServerError::Refused(body)) if body.code == chartdesk_api::ApiErrorCode::Conflict)
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
pub struct DrainReport {
    pub sent: u32,
    /// Refused for a reason only the user can settle (e.g. preop full).
    pub failed: u32,
    /// Still queued, for a later try: the cloud could not be reached, or the record stayed busy.
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

/// What adding a file from the window came to.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UploadOutcome {
    /// In the record now.
    Added { row: Box<DocumentRow> },
    /// Safe in the outbox; it goes up by itself when the cloud can be reached.
    Queued { doc_id: String, message: String },
}

/// The outbox's operations, as the shells reach them (`app.outbox().drain_outbox(..)`):
/// queueing, sending, the user's decisions on failed items, and the desktop's background round
/// (`sync_round`). What they need of the session, the offline store and the records server goes
/// through the app that composes them.
#[derive(Clone, Copy)]
pub struct Outbox<'a> {
    pub(in crate::services) app: &'a Services,
}

impl Services {
    pub fn outbox(&self) -> Outbox<'_> {
        Outbox { app: self }
    }
}

impl Outbox<'_> {
    /// Sends an item just queued by the window, watched and cancellable; what it came to.
    pub(in crate::services) async fn send_queued_now(
        self,
        doc_id: String,
        progress: Arc<Progress>,
        cancel: CancellationToken,
    ) -> Result<UploadOutcome, AppError> {
        let item = self
            .app
            .cache()
            .await?
            .outbox_rows()
            .all()
            .await?
            .into_iter()
            .find(|i| i.doc_id == doc_id)
            .ok_or(AppError::NoSuchDocument)?;
        match Sender::of(self.app)
            .send_queued(&item, progress, cancel.clone())
            .await?
        {
            Outcome::Sent(Some(row)) => Ok(UploadOutcome::Added { row }),
            // Already in the record (an earlier answer was lost): show it as added.
            Outcome::Sent(None) => {
                let mrn = self.app.parse_mrn(&item.mrn)?;
                let rows = ServerReads::of(self.app)
                    .list_via_server(&mrn, None, Some(""))
                    .await?;
                rows.into_iter()
                    .find(|r| r.id == item.doc_id)
                    .map(|row| UploadOutcome::Added { row: Box::new(row) })
                    .ok_or(AppError::NoSuchDocument)
            }
            // Cancel means cancel: nothing stays queued, sent or open.
            Outcome::Cancelled => Err(ServerError::Cancelled.into()),
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
                self.app
                    .cache()
                    .await?
                    .outbox_rows()
                    .remove(&doc_id)
                    .await?;
                Err(e)
            }
        }
    }
}

impl Outbox<'_> {
    /// Checks the file as an upload would (role, patient MRN, category, content) and writes it
    /// to the outbox; returns its doc id. Durable once this returns.
    #[instrument(skip_all)]
    pub async fn queue_upload(self, upload: Upload<'_>) -> Result<String, AppError> {
        let checked = Sender::of(self.app).check_upload(&upload).await?;
        let doc_id = upload.doc_id.unwrap_or_else(Uuid::now_v7).to_string();
        let queued_at = (self.app.clock)().format(&Rfc3339).unwrap_or_default();
        self.app
            .cache()
            .await?
            .outbox_rows()
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

    pub async fn items(self) -> Result<Vec<OutboxItem>, AppError> {
        self.app.authorize(Action::Upload).await?;
        Ok(self.app.cache().await?.outbox_rows().all().await?)
    }

    /// Sends every queued upload, oldest first, `jobs` at a time; after a round that found
    /// the cloud unreachable the rest stay queued. `progress` gives each document its listener.
    #[instrument(skip_all)]
    pub async fn drain_outbox(
        self,
        jobs: usize,
        progress: impl Fn(&OutboxItem) -> Arc<Progress>,
    ) -> Result<DrainReport, AppError> {
        self.drain_outbox_cancellable(jobs, progress, &CancellationToken::new())
            .await
    }

    /// As `drain_outbox`; a cancel stops the items in flight (they stay queued).
    pub async fn drain_outbox_cancellable(
        self,
        jobs: usize,
        progress: impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<DrainReport, AppError> {
        let (queued, failed) = self.waiting().await?;
        self.send_all(
            futures_util::stream::iter(queued),
            failed,
            jobs,
            progress,
            cancel,
        )
        .await
    }

    /// The items waiting to be sent, and how many wait for the user's decision instead.
    pub(in crate::services) async fn waiting(self) -> Result<(Vec<OutboxItem>, u32), AppError> {
        self.app.authorize(Action::Upload).await?;
        let (queued, failed): (Vec<_>, Vec<_>) = self
            .app
            .cache()
            .await?
            .outbox_rows()
            .all()
            .await?
            .into_iter()
            .partition(|i| i.state == OutboxState::Queued);
        Ok((queued, failed.len() as u32))
    }

    /// Sends `items` as they come, `jobs` at a time; `failed` counts those left for the
    /// user's decision before this pass.
    pub(in crate::services) async fn send_all(
        self,
        items: impl futures_util::Stream<Item = OutboxItem>,
        failed: u32,
        jobs: usize,
        progress: impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<DrainReport, AppError> {
        let mut report = DrainReport {
            failed,
            ..DrainReport::default()
        };
        // After a failure, ask the server once whether it is back before sending anything.
        let offline = self.app.seems_offline() && !self.app.is_online().await;
        if !offline {
            // Views made offline go first; one the server will not take never holds the
            // uploads back (it stays queued for the next round).
            if let Err(e) = self.app.offline().flush_audits().await {
                let code = e.code();
                tracing::warn!(?code, "offline views not reported yet");
            }
        }
        let mut outcomes = Sender::of(self.app)
            .send_pipelined(items, jobs, &progress, cancel, offline)
            .await;
        // A record busy with another complete of the same upload (a run killed mid-complete,
        // whose complete the server still finishes; another window) is free within seconds:
        // those items go again a few times before this pass leaves them queued.
        for wait in BUSY_RETRY_WAITS {
            let busy: Vec<&str> = outcomes
                .iter()
                .filter(|p| matches!(&p.outcome, Ok(Outcome::Left(e)) if record_busy(e)))
                .map(|p| p.item.doc_id.as_str())
                .collect();
            if busy.is_empty() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = cancel.cancelled() => break,
            }
            // Those still queued after the wait: the user may have discarded one meanwhile.
            let (queued, _) = self.waiting().await?;
            let again: Vec<OutboxItem> = queued
                .into_iter()
                .filter(|i| busy.contains(&i.doc_id.as_str()))
                .collect();
            let offline = self.app.seems_offline();
            let again = Sender::of(self.app)
                .send_pipelined(
                    futures_util::stream::iter(again),
                    jobs,
                    &progress,
                    cancel,
                    offline,
                )
                .await;
            for retried in again {
                if let Some(first) = outcomes
                    .iter_mut()
                    .find(|p| p.item.doc_id == retried.item.doc_id)
                {
                    first.outcome = retried.outcome;
                }
            }
        }
        // Reported in queue order, whatever order they finished in.
        outcomes.sort_by_key(|p| p.index);
        for pipeline::Piped { item, outcome, .. } in outcomes {
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
                    report.left += 1;
                    ("left", Some(e.to_string()))
                }
                // Only the window's own send removes on cancel; a drain keeps items.
                Outcome::Cancelled => ("failed", Some("Cancelled".to_string())),
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
        Ok(report)
    }

    /// A file added in the window: queued first (durable), then sent at once. Offline it
    /// stays queued; a refusal the user is there to answer (preop full, a bad file) comes
    /// back as the error and leaves nothing queued. Without a cache, a direct upload.
    #[instrument(skip_all)]
    pub async fn add_document(self, upload: Upload<'_>) -> Result<UploadOutcome, AppError> {
        if !self.app.offline_store.has_dir() {
            return self
                .app
                .documents()
                .upload(upload)
                .await
                .map(|row| UploadOutcome::Added { row: Box::new(row) });
        }
        let progress = upload.progress.clone();
        let cancel = upload.cancel.clone();
        let doc_id = self.queue_upload(upload).await?;
        self.send_queued_now(doc_id, progress, cancel).await
    }

    /// The user's decision on a failed item: try again (optionally replacing the oldest
    /// preop image) or discard it.
    pub async fn retry_outbox_item(
        self,
        doc_id: &str,
        replace_oldest: bool,
    ) -> Result<(), AppError> {
        self.app.authorize(Action::Upload).await?;
        Ok(self
            .app
            .cache()
            .await?
            .outbox_rows()
            .retry(doc_id, replace_oldest)
            .await?)
    }

    /// Removes an item unsent; refused while another window or run is sending it (it may be
    /// attached a moment later).
    pub async fn discard_outbox_item(self, doc_id: &str) -> Result<(), AppError> {
        self.app.authorize(Action::Upload).await?;
        let cache = self.app.cache().await?;
        let Some(_held) = Claim::take(&cache, doc_id)? else {
            return Err(AppError::Busy);
        };
        cache.outbox_rows().remove(doc_id).await?;
        Claim::forget(&cache, doc_id);
        if let Ok(id) = Uuid::parse_str(doc_id) {
            cache
                .forget(&crate::services::upload::send::journal_key(id))
                .await;
        }
        Ok(())
    }
}
