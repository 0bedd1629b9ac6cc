//! The desktop's background round: is the cloud there, send audit events made offline, drain
//! the outbox. The window shows the result (offline banner, queued count).

use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use crate::cache::OutboxState;
use chartdesk_domain::Action;
use chartdesk_records::store::Progress;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SyncStatus {
    pub online: bool,
    /// Uploads waiting for the network.
    pub queued: u32,
    /// Uploads waiting for the user's decision.
    pub failed: u32,
    /// Uploads this round sent.
    pub sent: u32,
    /// Their doc ids, so the window can say "Added" where it said "Queued".
    pub sent_doc_ids: Vec<String>,
    /// RFC 3339 time of this round.
    pub checked_at: String,
}

impl super::Outbox<'_> {
    /// Never fails: problems show as offline or as items still queued.
    pub async fn sync_round(self) -> SyncStatus {
        let online = self.app.is_online().await;
        let signed_in = self.app.actor().await.is_ok() && !self.app.session.is_locked();
        let mut sent = 0;
        let mut sent_doc_ids = Vec::new();
        if online && signed_in {
            let _ = self.app.offline().flush_audits().await;
            if self.app.may(Action::Upload).await {
                if let Ok(report) = self.drain_outbox(2, |_| Progress::silent()).await {
                    sent = report.sent;
                    sent_doc_ids = report
                        .items
                        .into_iter()
                        .filter(|i| i.outcome == "sent")
                        .map(|i| i.doc_id)
                        .collect();
                }
            }
        }
        let (mut queued, mut failed) = (0, 0);
        if signed_in && self.app.may(Action::Upload).await {
            if let Ok(items) = self.items().await {
                for item in items {
                    match item.state {
                        OutboxState::Queued => queued += 1,
                        OutboxState::Failed => failed += 1,
                    }
                }
            }
        }
        SyncStatus {
            online: online && !self.app.seems_offline(),
            queued,
            failed,
            sent,
            sent_doc_ids,
            checked_at: (self.app.clock)().format(&Rfc3339).unwrap_or_default(),
        }
    }
}
