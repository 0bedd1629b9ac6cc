//! A cancel means cancel: the item leaves the outbox while still under its claim, its part
//! journal goes, and the server is asked to abort what was sent of it.

use uuid::Uuid;

use super::round::Claim;
use crate::cache::OutboxItem;
use crate::services::upload::send::journal_key;
use crate::services::upload::sender::Sender;
use crate::services::AppError;
use chartdesk_records::store::part_journal::PartJournal;

impl Sender<'_> {
    /// Removes a cancelled item and asks the server to abort what was sent of it.
    pub(in crate::services::upload) async fn cancel_upload(
        self,
        item: &OutboxItem,
    ) -> Result<(), AppError> {
        let cache = self.app.cache().await?;
        cache.outbox_rows().remove(&item.doc_id).await?;
        Claim::forget(&cache, &item.doc_id);
        if let Ok(id) = Uuid::parse_str(&item.doc_id) {
            cache.forget(&journal_key(id)).await;
        }
        let (Ok(doc_id), Some(category)) = (
            Uuid::parse_str(&item.doc_id),
            chartdesk_domain::Category::from_id(&item.category),
        ) else {
            return Ok(());
        };
        let abort = chartdesk_api::AbortUpload {
            doc_id,
            mrn: item.mrn.clone(),
            category,
        };
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        // Best effort: what is left unattached is an orphan no entry names, and the bucket's
        // lifecycle rule aborts an open multipart upload after a day.
        if let Err(e) = server.uploads().abort(&token, &abort).await {
            let code = AppError::from(e).code();
            tracing::warn!(?code, "a cancelled upload's objects were not removed");
        }
        Ok(())
    }
}
