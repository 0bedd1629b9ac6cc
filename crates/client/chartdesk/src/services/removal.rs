//! Detach (the document leaves the record; its S3 objects are kept) and delete (objects and
//! their variants removed, a tombstone kept): records admins only. The server makes the change
//! and audits it. What left a category shows in its history (clinicians, records admins).

use tracing::instrument;

use super::{AppError, RecordsAdmin};
use crate::cloud::records_server::Removal;
use chartdesk_domain::HistoryRow;
use chartdesk_domain::{Action, Category};

impl super::Documents<'_> {
    /// A category's replaced, detached and deleted documents, through the server (audited as
    /// a list); `None` for a user whose role does not see them (ward staff), who is not asked.
    #[instrument(name = "document_history", skip_all)]
    pub async fn history(
        self,
        mrn: &str,
        category: &str,
    ) -> Result<Option<Vec<HistoryRow>>, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        if !self.app.may(Action::ReadRemovedDocuments).await {
            return Ok(None);
        }
        let mrn = self.app.parse_mrn(mrn)?;
        let category = Category::from_id(category).ok_or(AppError::NoSuchCategory)?;
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(mrn.as_ref());
        let history = server
            .document_history(&token, mrn.as_ref(), category.id(), reason.as_ref())
            .await?;
        Ok(Some(history.rows))
    }
}

impl RecordsAdmin<'_> {
    #[instrument(skip_all)]
    pub async fn detach_document(self, mrn: &str, doc_id: &str) -> Result<(), AppError> {
        self.remove_through_server(mrn, doc_id, Removal::Detach)
            .await
    }

    /// `why` stays on the document's tombstone in the record's history (the server checks it).
    #[instrument(skip_all)]
    pub async fn delete_document(self, mrn: &str, doc_id: &str, why: &str) -> Result<(), AppError> {
        self.remove_through_server(mrn, doc_id, Removal::Delete { why })
            .await
    }
}
