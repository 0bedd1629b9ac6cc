//! Reads made from the offline copy (a patient found, a list, thumbnails, a document opened)
//! are audited too: each is queued in the encrypted cache, with the break-glass reason given,
//! and reported to the server once it is back (issue 22 item 5).

use chartdesk_api::{ApiErrorCode, OfflineAction, OfflineView, OfflineViews};
use time::format_description::well_known::Rfc3339;
use tracing::warn;
use uuid::Uuid;

use super::{AppError, Services};
use crate::cloud::ServerError;
use chartdesk_domain::{Mrn, StatedReason};

/// The server takes at most this many reported reads per request.
const REPORT_BATCH: usize = 500;

/// One read from the offline copy, about to be queued.
pub(super) struct OfflineRead<'a> {
    pub mrn: &'a Mrn,
    pub action: OfflineAction,
    pub doc_id: Option<Uuid>,
    pub count: Option<u32>,
}

/// What was read offline, queued for the audit and reported once the server answers.
#[derive(Clone, Copy)]
pub(super) struct OfflineAudit<'a> {
    pub(super) app: &'a Services,
}

impl<'a> OfflineAudit<'a> {
    pub(super) fn of(app: &'a Services) -> Self {
        Self { app }
    }
}

impl OfflineAudit<'_> {
    /// Queues a read made from the offline copy, with the reason given for this patient.
    /// Without a cache to keep it in, the read is refused (no unaudited read).
    pub(super) async fn queue_offline_read(self, read: OfflineRead<'_>) -> Result<(), AppError> {
        let reason = self.app.records.reason_for(read.mrn.as_ref());
        self.queue_offline_read_with(read, reason.as_ref())
            .await
            .map(|_| ())
    }

    /// A patient shown from the cache before the server was asked: queued as an offline Find
    /// now, and withdrawn by `confirm_find` once a revalidation reaches the server (which
    /// audits that find itself). A read never goes unaudited, whatever follows.
    pub(super) async fn queue_unconfirmed_find(
        self,
        mrn: &Mrn,
        reason: Option<&StatedReason>,
    ) -> Result<(), AppError> {
        let read = OfflineRead {
            mrn,
            action: OfflineAction::Find,
            doc_id: None,
            count: None,
        };
        let key = self.queue_offline_read_with(read, reason).await?;
        self.app.records.note_unconfirmed_find(mrn, key);
        Ok(())
    }

    /// The server audited a find of this patient: the offline Find queued when the cached copy
    /// was shown is withdrawn (unless already reported).
    pub(super) async fn confirm_find(self, mrn: &Mrn) {
        let key = self.app.records.take_unconfirmed_find(mrn);
        if let (Some(key), Some(cache)) = (key, self.app.usable_cache().await) {
            if let Err(e) = cache.audit_sent(&key).await {
                warn!(kind = e.kind(), "an offline find stays queued");
            }
        }
    }

    /// Queues one read; returns its key in the queue.
    pub(super) async fn queue_offline_read_with(
        self,
        read: OfflineRead<'_>,
        reason: Option<&StatedReason>,
    ) -> Result<String, AppError> {
        let view = OfflineView {
            event_id: Uuid::now_v7(),
            mrn: read.mrn.to_string(),
            doc_id: read.doc_id,
            at: (self.app.clock)().format(&Rfc3339).unwrap_or_default(),
            action: read.action,
            reason: reason.map(|r| r.reason.id().to_string()),
            reason_detail: reason.map(|r| r.detail.clone()).filter(|d| !d.is_empty()),
            count: read.count,
        };
        let cache = self
            .app
            .usable_cache()
            .await
            .ok_or(AppError::Server(ServerError::Unreachable))?;
        let json = serde_json::to_string(&view)
            .map_err(|e| crate::cache::CacheError::Database(e.to_string()))?;
        // UUIDv7: keys sort in the order the reads happened.
        let key = view.event_id.to_string();
        cache.queue_audit(&key, json).await?;
        Ok(key)
    }

    /// Reports reads made offline, oldest first, in batches the server takes. A batch the
    /// server refuses as a whole (one bad event refuses its batch) is split until the refused
    /// events stand alone: those are dropped, so one never holds the others back for good.
    /// Anything else (no network, signed out, a server fault) stops here, leaving the rest
    /// queued for the next round.
    pub(super) async fn report_offline_views(self) -> Result<(), AppError> {
        let Some(cache) = self.app.usable_cache().await else {
            return Ok(());
        };
        let server = self.app.records.server_or_none()?;
        let pending = cache.pending_audits().await?;
        if pending.is_empty() {
            return Ok(());
        }
        let mut queued = Vec::with_capacity(pending.len());
        for (key, json) in pending {
            match read_queued(&json) {
                Some(view) => queued.push((key, view)),
                None => {
                    // Nothing the server could take: drop it rather than block the rest.
                    warn!("dropping an unreadable offline view");
                    cache.audit_sent(&key).await?;
                }
            }
        }
        let token = self.app.access_token().await?;
        let mut work: Vec<&[(String, OfflineView)]> = queued.chunks(REPORT_BATCH).rev().collect();
        while let Some(batch) = work.pop() {
            let views = OfflineViews {
                views: batch.iter().map(|(_, v)| v.clone()).collect(),
            };
            match server.report_offline_views(&token, &views).await {
                Ok(_) => {}
                Err(e) if refuses_the_events(&e) && batch.len() > 1 => {
                    let (first, second) = batch.split_at(batch.len() / 2);
                    work.push(second);
                    work.push(first);
                    continue;
                }
                Err(e) if refuses_the_events(&e) => {
                    let code = e.code();
                    warn!(?code, "the server refused an offline view; dropped");
                }
                Err(e) => return Err(e.into()),
            }
            for (key, _) in batch {
                cache.audit_sent(key).await?;
            }
        }
        Ok(())
    }
}

/// The server's word on the events themselves (an unknown record or document, a time too old,
/// a malformed field, a restricted record's read with no reason): sending them again would be
/// refused again. Refusals of the user (signed out, role) or faults are not: the events wait.
fn refuses_the_events(e: &ServerError) -> bool {
    matches!(
        e.code(),
        Some(
            ApiErrorCode::InvalidInput
                | ApiErrorCode::NotFound
                | ApiErrorCode::Conflict
                | ApiErrorCode::ReasonRequired
        )
    )
}

/// A queued read. Views queued by earlier versions (an `AuditEvent` with action `view`) read
/// as one too: the fields the server needs have the same names.
fn read_queued(json: &str) -> Option<OfflineView> {
    serde_json::from_str::<OfflineView>(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_queued_by_an_earlier_version_is_still_reported_as_a_view() {
        let legacy = serde_json::json!({
            "event_id": "0190a1b2-0000-7000-8000-000000000001", "at": "2026-01-01T00:00:00Z",
            "actor": "dr.okafor", "action": "view", "mrn": "10000001",
            "doc_id": "0190a1b2-0000-7000-8000-000000000002"
        });
        let view = read_queued(&legacy.to_string()).unwrap();
        assert_eq!(view.action, OfflineAction::View);
        assert_eq!(view.mrn, "10000001");
        assert!(view.doc_id.is_some());
        assert!(read_queued("not json").is_none());
    }
}
