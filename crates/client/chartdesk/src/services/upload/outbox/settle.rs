//! Settling a completed batch: each item removed from the outbox when attached, kept when a
//! later try may get past its failure, failed (for the user to decide) otherwise. The attached
//! ones leave in one transaction.

use uuid::Uuid;

use super::round::{Answer, Claim, Outcome};
use crate::cache::{OutboxItem, OutboxState};
use crate::cloud::ServerError;
use crate::services::upload::sender::Sender;
use crate::services::AppError;
use chartdesk_domain::AttachError;
use chartdesk_domain::DocumentRow;
use chartdesk_records::store::part_journal::PartJournal;

impl Sender<'_> {
    /// Settles a batch's answers, one outcome each, in order. Those attached (now or by an
    /// earlier run) leave the outbox together: one sync for the batch, which sits between one
    /// complete and the next (issue 25). Should that fail, each is settled alone.
    pub(super) async fn settle_all(self, answers: Vec<Answer>) -> Vec<Result<Outcome, AppError>> {
        let attached: Vec<&OutboxItem> = answers
            .iter()
            .filter_map(|a| match a {
                Answer::Settle(item, result) if is_attached(result) => Some(item),
                _ => None,
            })
            .collect();
        let removed = match self.app.cache().await {
            Ok(cache) if !attached.is_empty() => {
                for item in &attached {
                    forget_journal(&cache, item).await;
                }
                let ids = attached.iter().map(|i| i.doc_id.clone()).collect();
                let removed = match cache.outbox_rows().remove_all(ids).await {
                    Ok(()) => true,
                    Err(_) => {
                        // Each is settled alone below, which reports its own error.
                        tracing::warn!(
                            kind = "outbox_batch_removal",
                            "attached items could not leave the outbox together"
                        );
                        false
                    }
                };
                if removed {
                    for item in &attached {
                        Claim::forget(&cache, &item.doc_id);
                    }
                }
                removed
            }
            _ => false,
        };
        let mut outcomes = Vec::with_capacity(answers.len());
        for answer in answers {
            outcomes.push(match answer {
                Answer::Done(outcome) => outcome,
                Answer::Cancel(item) => self.cancel_upload(&item).await.map(|_| Outcome::Cancelled),
                Answer::Settle(_, Ok(Some(row))) if removed => Ok(Outcome::Sent(Some(row))),
                Answer::Settle(_, result) if removed && is_attached(&result) => {
                    Ok(Outcome::Sent(None))
                }
                Answer::Settle(item, result) => self.settle(&item, result).await,
            });
        }
        outcomes
    }

    /// What an item's try came to, kept in the outbox: gone when attached, queued again when
    /// a later try may get past it, failed (for the user to decide) otherwise.
    async fn settle(
        self,
        item: &OutboxItem,
        result: Result<Option<Box<DocumentRow>>, AppError>,
    ) -> Result<Outcome, AppError> {
        let cache = self.app.cache().await?;
        // A gone multipart upload (404) is started afresh, not resumed.
        let upload_gone = matches!(&result, Err(AppError::Server(ServerError::Storage(404))));
        let settled = upload_gone || !matches!(&result, Err(e) if is_transient(e));
        if settled {
            forget_journal(&cache, item).await;
        }
        match result {
            Ok(Some(row)) => {
                cache.outbox_rows().remove(&item.doc_id).await?;
                Claim::forget(&cache, &item.doc_id);
                Ok(Outcome::Sent(Some(row)))
            }
            Ok(None) => Ok(Outcome::Sent(None)),
            // Already attached: an earlier run landed it and was stopped before this row
            // was removed.
            Err(AppError::Attach(AttachError::AlreadyAttached)) => {
                cache.outbox_rows().remove(&item.doc_id).await?;
                Claim::forget(&cache, &item.doc_id);
                Ok(Outcome::Sent(None))
            }
            // Queued again when a later try may get past it, failed for the user otherwise.
            Err(e) => {
                let transient = is_transient(&e);
                let state = if transient {
                    OutboxState::Queued
                } else {
                    OutboxState::Failed
                };
                let rows = cache.outbox_rows();
                rows.failed(&item.doc_id, state, &e.to_string(), &code_of(&e))
                    .await?;
                Ok(if transient {
                    Outcome::Left(e)
                } else {
                    Outcome::Failed(e)
                })
            }
        }
    }
}

/// Attached, by this complete or an earlier run's (stopped before its row was removed).
fn is_attached(result: &Result<Option<Box<DocumentRow>>, AppError>) -> bool {
    matches!(
        result,
        Ok(Some(_)) | Err(AppError::Attach(AttachError::AlreadyAttached))
    )
}

/// Nothing will resume this upload's parts: its journal goes too.
async fn forget_journal(cache: &crate::cache::Cache, item: &OutboxItem) {
    if let Ok(id) = Uuid::parse_str(&item.doc_id) {
        cache
            .forget(&crate::services::upload::send::journal_key(id))
            .await;
    }
}

/// Failures a later try may get past: no network, a timeout, an expired URL, a busy record,
/// a cancel, an ended session.
fn is_transient(e: &AppError) -> bool {
    use chartdesk_api::ApiErrorCode;
    match e {
        AppError::Server(ServerError::Refused(body)) => matches!(
            body.code,
            ApiErrorCode::Unavailable
                | ApiErrorCode::Conflict
                | ApiErrorCode::Unauthenticated
                | ApiErrorCode::Internal
        ),
        // The file store refused a transfer: an expired URL (403) or a gone upload (404) is
        // asked for afresh next time; a refused body (400) would be refused again.
        AppError::Server(ServerError::Storage(status)) => *status != 400,
        AppError::Server(ServerError::Unreachable | ServerError::Cancelled) => true,
        AppError::Contended => true,
        // A session that ended or lapsed: sign in again, then the item goes up.
        AppError::Auth(_) => true,
        _ => false,
    }
}

/// The error's `UiError` code as text (`preop_full`, `unreachable`, …), kept with the item.
fn code_of(e: &AppError) -> String {
    let code = e.code();
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
