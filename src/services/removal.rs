//! Detach (the document leaves the record; its S3 objects are kept) and delete (objects and
//! their variants removed): records admins only. The server makes the change and audits it.

use tracing::instrument;

use super::{AppError, Services};

impl Services {
    #[instrument(skip_all)]
    pub async fn detach_document(&self, mrn: &str, doc_id: &str) -> Result<(), AppError> {
        self.remove_through_server(mrn, doc_id, false).await
    }

    #[instrument(skip_all)]
    pub async fn delete_document(&self, mrn: &str, doc_id: &str) -> Result<(), AppError> {
        self.remove_through_server(mrn, doc_id, true).await
    }
}
