//! Listing a category's documents and opening one: role-checked, integrity-checked, audited.

use tracing::instrument;
use uuid::Uuid;

use super::{AppError, Services};
use crate::auth::AuthError;
use crate::cloud::StoreError;
use crate::domain::{
    apply_stamp, keys, sha256_hex, Action, Category, DocumentEntry, Manifest, Mrn, ScanStatus,
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
        if let Some(through_server) = self.stamp_through_server(mrn, doc_id).await {
            return through_server;
        }
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
        self.audit(AuditAction::View, &mrn, Some(id)).await?;
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
        let cached_name = format!("thumb-{id}");
        match self.store.get_bytes(&thumb).await {
            Ok(stored) => {
                let bytes = stored.map(|(bytes, _)| bytes);
                if let (Some(cache), Some(b)) = (self.usable_cache().await, &bytes) {
                    let now = (self.clock)().format(&time::format_description::well_known::Rfc3339);
                    let _ = cache
                        .save_file(
                            &cached_name,
                            mrn.as_ref(),
                            b.clone(),
                            &now.unwrap_or_default(),
                        )
                        .await;
                }
                Ok(bytes)
            }
            Err(StoreError::Unreachable) => match self.usable_cache().await {
                Some(cache) => Ok(cache.file(&cached_name).await.ok().flatten()),
                None => Err(crate::records::LookupError::from(StoreError::Unreachable).into()),
            },
            Err(e) => Err(crate::records::LookupError::from(e).into()),
        }
    }

    /// The original's bytes, refused when the scanner flagged it or when they do not match
    /// the SHA-256 the manifest recorded at upload. Kept in the encrypted cache once opened,
    /// and served from there when the cloud cannot be reached.
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
        let cached_name = entry.id.to_string();
        let bytes = match self.store.get_bytes(&key).await {
            Ok(Some((bytes, _))) => bytes,
            Ok(None) => return Err(AppError::NoSuchDocument),
            Err(StoreError::Unreachable) => {
                let cache = self.usable_cache().await;
                let cached = match cache {
                    Some(c) => c.file(&cached_name).await.ok().flatten(),
                    None => None,
                };
                cached.ok_or_else(|| {
                    AppError::from(crate::records::LookupError::from(StoreError::Unreachable))
                })?
            }
            Err(e) => return Err(crate::records::LookupError::from(e).into()),
        };
        // An entry with no checksum is as untrustworthy as one that does not match.
        if entry.sha256.is_empty() || sha256_hex(&bytes) != entry.sha256 {
            return Err(AppError::Corrupted);
        }
        if let Some(cache) = self.usable_cache().await {
            let now = (self.clock)().format(&time::format_description::well_known::Rfc3339);
            let _ = cache
                .save_file(
                    &cached_name,
                    mrn.as_ref(),
                    bytes.clone(),
                    &now.unwrap_or_default(),
                )
                .await;
            self.keep_within_budget().await;
        }
        Ok(bytes)
    }

    pub(super) fn parse_mrn(&self, mrn: &str) -> Result<Mrn, AppError> {
        self.profile
            .mrn_format
            .parse(mrn)
            .map_err(|e| AppError::Query(e.into()))
    }

    /// The patient's manifest, live; refreshed into the cache. When the cloud cannot be
    /// reached, the cached copy (if the user opened this patient before).
    pub(super) async fn manifest(&self, mrn: &Mrn) -> Result<Manifest, AppError> {
        match self.store.get_json::<Manifest>(&keys::manifest(mrn)).await {
            Ok(Some(v)) => {
                self.remember_manifest(mrn, &v.value, &v.etag).await;
                Ok(v.value)
            }
            Ok(None) => Ok(Manifest::default()),
            Err(StoreError::Unreachable) => match self.cached_record(mrn.as_ref()).await {
                Some((record, _)) => Ok(record.manifest),
                None => Err(crate::records::LookupError::from(StoreError::Unreachable).into()),
            },
            Err(e) => Err(crate::records::LookupError::from(e).into()),
        }
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
        self.read_session(|s| s.username.clone()).await
    }

    /// Something of the signed-in session; `NotSignedIn` without one.
    pub(super) async fn read_session<T>(
        &self,
        read: impl FnOnce(&crate::auth::Session) -> T,
    ) -> Result<T, AppError> {
        let guard = self.session.read().await;
        Ok(read(guard.as_ref().ok_or(AuthError::NotSignedIn)?))
    }
}
