//! Listing a category's documents and opening one: role-checked, integrity-checked, audited.

use sha2::{Digest, Sha256};
use tracing::instrument;
use uuid::Uuid;

use super::{AppError, Services};
use crate::auth::AuthError;
use crate::domain::{
    apply_stamp, keys, Action, Category, DocumentEntry, Manifest, Mrn, ScanStatus,
};
use crate::records::audit::{self, AuditAction};
use crate::records::{
    find_entry, row_for, rows_for, rows_matching, update_manifest, DocumentRow, RowPermissions,
};

/// A document's bytes and what the viewer needs to show them.
pub struct OpenedDocument {
    pub content_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for OpenedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedDocument")
            .field("content_type", &self.content_type)
            .field("size", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl Services {
    #[instrument(skip_all, err(Display))]
    pub async fn list_documents(
        &self,
        mrn: &str,
        category: &str,
    ) -> Result<Vec<DocumentRow>, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let category = Category::from_id(category).ok_or(AppError::NoSuchCategory)?;
        let may = self.row_permissions().await;
        let manifest = self.manifest(&mrn).await?;
        let mut rows = rows_for(&manifest, category, may);
        self.apply_scan_tags(&mrn, &manifest, &mut rows).await;
        Ok(rows)
    }

    /// Documents of every category matching `text` (file name, category, uploader).
    #[instrument(skip_all, err(Display))]
    pub async fn search_documents(
        &self,
        mrn: &str,
        text: &str,
    ) -> Result<Vec<DocumentRow>, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let may = self.row_permissions().await;
        let manifest = self.manifest(&mrn).await?;
        let mut rows = rows_matching(&manifest, text, may);
        self.apply_scan_tags(&mrn, &manifest, &mut rows).await;
        Ok(rows)
    }

    /// Stamps a lab report *verified* or a radiology report *reviewed* (clinicians), in one
    /// compare-and-swap manifest write; never over an existing stamp. Audited.
    #[instrument(skip_all, err(Display))]
    pub async fn stamp_document(&self, mrn: &str, doc_id: &str) -> Result<DocumentRow, AppError> {
        self.authorize(Action::Stamp).await?;
        let mrn = self.parse_mrn(mrn)?;
        let id = Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        let actor = self.actor().await?;
        let now = (self.clock)();
        let remove = self.may(Action::DetachOrDelete).await;
        let mut row = update_manifest(&self.store, &mrn, |manifest| {
            let entry = manifest
                .documents
                .iter_mut()
                .find(|d| d.id == id && d.status == crate::domain::DocumentStatus::Attached)
                .ok_or(AppError::NoSuchDocument)?;
            apply_stamp(entry, &actor, now).map_err(AppError::Stamp)?;
            let may = RowPermissions {
                stamp: true,
                remove: false,
            };
            row_for(manifest, id, may).ok_or(AppError::NoSuchDocument)
        })
        .await
        .map_err(AppError::from)?;
        row.can_remove = remove;
        audit::record(&self.store, now, &actor, AuditAction::Stamp, &mrn, Some(id))
            .await
            .map_err(crate::records::LookupError::from)?;
        Ok(row)
    }

    /// The original file, after checking its SHA-256 against the manifest; the view is audited
    /// before the bytes are handed over. Files the scanner flagged are refused.
    #[instrument(skip_all, err(Display))]
    pub async fn open_document(&self, mrn: &str, doc_id: &str) -> Result<OpenedDocument, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let id = Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        let manifest = self.manifest(&mrn).await?;
        let entry = find_entry(&manifest, id).ok_or(AppError::NoSuchDocument)?;
        let bytes = self.fetch_verified(&mrn, entry).await?;
        let actor = self.actor().await?;
        audit::record(
            &self.store,
            (self.clock)(),
            &actor,
            AuditAction::View,
            &mrn,
            Some(id),
        )
        .await
        .map_err(crate::records::LookupError::from)?;
        Ok(OpenedDocument {
            content_type: entry.content_type.clone(),
            file_name: entry.file_name.clone(),
            bytes,
        })
    }

    /// The 320 px JPEG thumbnail of an image document, for the list; `None` when the document
    /// has none (PDFs) or the scanner flagged it. Not audited: the list itself is the view.
    #[instrument(skip_all, err(Display))]
    pub async fn document_thumbnail(
        &self,
        mrn: &str,
        doc_id: &str,
    ) -> Result<Option<Vec<u8>>, AppError> {
        self.authorize(Action::ViewRecords).await?;
        let mrn = self.parse_mrn(mrn)?;
        let id = Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        let manifest = self.manifest(&mrn).await?;
        let entry = find_entry(&manifest, id).ok_or(AppError::NoSuchDocument)?;
        let thumb = keys::thumb(&mrn, entry.category, id);
        if !entry.variants.contains(&thumb)
            || self.scan_status(&mrn, entry).await == ScanStatus::Infected
        {
            return Ok(None);
        }
        let stored = self
            .store
            .get_bytes(&thumb)
            .await
            .map_err(crate::records::LookupError::from)?;
        Ok(stored.map(|(bytes, _)| bytes))
    }

    /// The original's bytes, refused when the scanner flagged it or when they do not match
    /// the SHA-256 the manifest recorded at upload.
    pub(super) async fn fetch_verified(
        &self,
        mrn: &Mrn,
        entry: &DocumentEntry,
    ) -> Result<Vec<u8>, AppError> {
        if self.scan_status(mrn, entry).await == ScanStatus::Infected {
            return Err(AppError::Infected);
        }
        let ext = keys::extension_for(&entry.content_type).ok_or(AppError::NoSuchDocument)?;
        let key = keys::original(mrn, entry.category, entry.id, ext);
        let (bytes, _) = self
            .store
            .get_bytes(&key)
            .await
            .map_err(crate::records::LookupError::from)?
            .ok_or(AppError::NoSuchDocument)?;
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if !entry.sha256.is_empty() && digest != entry.sha256 {
            return Err(AppError::Corrupted);
        }
        Ok(bytes)
    }

    pub(super) fn parse_mrn(&self, mrn: &str) -> Result<Mrn, AppError> {
        self.profile
            .mrn_format
            .parse(mrn)
            .map_err(|e| AppError::Query(e.into()))
    }

    pub(super) async fn manifest(&self, mrn: &Mrn) -> Result<Manifest, AppError> {
        let stored = self
            .store
            .get_json::<Manifest>(&keys::manifest(mrn))
            .await
            .map_err(crate::records::LookupError::from)?;
        Ok(stored.map(|v| v.value).unwrap_or_default())
    }

    pub(super) async fn row_permissions(&self) -> RowPermissions {
        RowPermissions {
            stamp: self.may(Action::Stamp).await,
            remove: self.may(Action::DetachOrDelete).await,
        }
    }

    /// Whether the signed-in user's roles allow `action` (for what the UI offers; the
    /// operation itself still goes through `authorize`).
    pub(super) async fn may(&self, action: Action) -> bool {
        let guard = self.session.read().await;
        guard.as_ref().is_some_and(|s| s.may(action))
    }

    pub(super) async fn actor(&self) -> Result<String, AppError> {
        let guard = self.session.read().await;
        Ok(guard
            .as_ref()
            .ok_or(AuthError::NotSignedIn)?
            .username
            .clone())
    }
}
