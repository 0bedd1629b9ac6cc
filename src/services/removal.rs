//! Detach (the document leaves the record; its S3 objects are kept) and delete (objects and
//! their variants removed): records admins only, audited.
//!
//! Delete writes the manifest first and removes objects after: a crash between leaves
//! orphan objects, never a manifest entry without its file (the upload rule, mirrored).

use tracing::instrument;
use uuid::Uuid;

use super::{AppError, Services};
use crate::domain::{keys, Action, DocumentStatus, Mrn};
use crate::records::audit::{self, AuditAction};
use crate::records::{update_manifest, LookupError};

impl Services {
    #[instrument(skip_all, err(Display))]
    pub async fn detach_document(&self, mrn: &str, doc_id: &str) -> Result<(), AppError> {
        if let Some(through_server) = self.remove_through_server(mrn, doc_id, false).await {
            return through_server;
        }
        let (mrn, id) = self.removal_target(mrn, doc_id).await?;
        update_manifest(&self.store, &mrn, |manifest| {
            let entry = manifest
                .documents
                .iter_mut()
                .find(|d| d.id == id && d.status == DocumentStatus::Attached)
                .ok_or(AppError::NoSuchDocument)?;
            entry.status = DocumentStatus::Detached;
            Ok(())
        })
        .await
        .map_err(AppError::from)?;
        self.audit_removal(AuditAction::Detach, &mrn, id).await
    }

    #[instrument(skip_all, err(Display))]
    pub async fn delete_document(&self, mrn: &str, doc_id: &str) -> Result<(), AppError> {
        if let Some(through_server) = self.remove_through_server(mrn, doc_id, true).await {
            return through_server;
        }
        let (mrn, id) = self.removal_target(mrn, doc_id).await?;
        let removed = update_manifest(&self.store, &mrn, |manifest| {
            let at = manifest
                .documents
                .iter()
                .position(|d| d.id == id)
                .ok_or(AppError::NoSuchDocument)?;
            Ok(manifest.documents.remove(at))
        })
        .await
        .map_err(AppError::from)?;
        let ext = keys::extension_for(&removed.content_type).unwrap_or("bin");
        let objects = [
            keys::original(&mrn, removed.category, id, ext),
            keys::optimized(&mrn, removed.category, id),
            keys::thumb(&mrn, removed.category, id),
        ];
        let prefix = keys::patient_prefix(&mrn);
        for key in objects {
            // Keys are built from validated ids; refuse anything outside the patient anyway.
            if !key.starts_with(&prefix) || key.contains("..") {
                return Err(AppError::NoSuchDocument);
            }
            self.store.delete(&key).await.map_err(LookupError::from)?;
        }
        self.audit_removal(AuditAction::Delete, &mrn, id).await
    }

    async fn removal_target(&self, mrn: &str, doc_id: &str) -> Result<(Mrn, Uuid), AppError> {
        self.authorize(Action::DetachOrDelete).await?;
        let mrn = self.parse_mrn(mrn)?;
        let id = Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        Ok((mrn, id))
    }

    async fn audit_removal(
        &self,
        action: AuditAction,
        mrn: &Mrn,
        id: Uuid,
    ) -> Result<(), AppError> {
        let actor = self.actor().await?;
        audit::record(&self.store, (self.clock)(), &actor, action, mrn, Some(id))
            .await
            .map_err(|e| LookupError::from(e).into())
    }
}
