//! Adding a scan to a patient's record: checked by content, image variants made, stored with
//! SHA-256 checksums, then attached in one compare-and-swap manifest write under the preop rule. Objects first,
//! manifest last: a failure between leaves an orphan object, never an entry without its file.

use std::sync::Arc;

use bytes::Bytes;
use tokio_util::sync::CancellationToken;
use tracing::instrument;
use uuid::Uuid;

use super::{AppError, Services};
use crate::cloud::part_journal::PartJournal;
use crate::cloud::{Progress, StoreError};
use crate::domain::{
    accept, attach, keys, sha256_hex, AcceptedFile, Action, Category, DocumentEntry,
    DocumentStatus, FileRefusal, Mrn, ScanStatus,
};
use crate::records::audit::{self, AuditAction};
use crate::records::{row_for, update_manifest, DocumentRow, LookupError};
use crate::upload::make_variants;

/// Bytes sent so far of one upload the window started (its own id), for its progress bar.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct UploadProgress {
    pub upload_id: String,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// One file to add.
pub struct Upload<'a> {
    pub mrn: &'a str,
    pub category: &'a str,
    /// The user's file name: metadata only.
    pub file_name: &'a str,
    pub bytes: Vec<u8>,
    /// The user chose to replace the oldest preop image if preop is full.
    pub replace_oldest: bool,
    /// Bytes sent of all the document's objects (original and image variants).
    pub progress: Arc<Progress>,
    /// Cancelled before the manifest write: nothing is added and the objects are removed.
    pub cancel: CancellationToken,
    /// Fixed when the upload was queued in the outbox, so every retry writes the same keys
    /// and the manifest sees the same document; `None` for a new id.
    pub doc_id: Option<Uuid>,
}

impl<'a> Upload<'a> {
    /// An upload nobody watches or cancels, not replacing anything.
    pub fn new(mrn: &'a str, category: &'a str, file_name: &'a str, bytes: Vec<u8>) -> Self {
        Self {
            mrn,
            category,
            file_name,
            bytes,
            replace_oldest: false,
            progress: Progress::silent(),
            cancel: CancellationToken::new(),
            doc_id: None,
        }
    }
}

/// The user's file name as the UI sends it in a header (percent-encoded, since header values
/// are ASCII); undecodable bytes become U+FFFD rather than an error.
pub fn decode_file_name(header: &str) -> String {
    percent_encoding::percent_decode_str(header)
        .decode_utf8_lossy()
        .into_owned()
}

/// What every upload is checked for before anything is stored or queued.
pub(super) struct Checked {
    pub mrn: Mrn,
    pub category: Category,
    pub file: AcceptedFile,
    /// Hex, as the manifest records it.
    pub sha256: String,
}

impl Services {
    /// The one check for direct and queued uploads: role, MRN format, category, content
    /// (magic bytes, empty, size limit).
    pub(super) async fn check_upload(&self, upload: &Upload<'_>) -> Result<Checked, AppError> {
        self.authorize(Action::Upload).await?;
        let mrn = self.parse_mrn(upload.mrn)?;
        let category = Category::from_id(upload.category).ok_or(AppError::NoSuchCategory)?;
        let file = accept(
            upload.file_name,
            &upload.bytes,
            self.profile.max_upload_bytes,
        )?;
        Ok(Checked {
            mrn,
            category,
            file,
            sha256: sha256_hex(&upload.bytes),
        })
    }

    #[instrument(skip_all, err(Display))]
    pub async fn upload_document(&self, upload: Upload<'_>) -> Result<DocumentRow, AppError> {
        let Checked {
            mrn,
            category,
            file,
            sha256,
        } = self.check_upload(&upload).await?;
        if !self
            .store
            .exists(&keys::patient(&mrn))
            .await
            .map_err(LookupError::from)?
        {
            return Err(LookupError::NoSuchMrn(mrn.to_string()).into());
        }
        let actor = self.actor().await?;
        let now = (self.clock)();
        let id = upload.doc_id.unwrap_or_else(Uuid::now_v7);
        let ext = keys::extension_for(file.content_type).unwrap_or("bin");
        let size = upload.bytes.len() as u64;
        let mut objects: Vec<(String, Bytes, &str)> = Vec::new();
        let mut variants = Vec::new();
        upload.progress.expect(size);
        if file.is_image() {
            // Decoding and resizing is CPU work: off the async workers.
            let bytes = upload.bytes.clone();
            let made = tokio::task::spawn_blocking(move || make_variants(&bytes))
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(|| FileRefusal::Unreadable(file.file_name.clone()))?;
            let optimized = keys::optimized(&mrn, category, id);
            let thumb = keys::thumb(&mrn, category, id);
            variants = vec![optimized.clone(), thumb.clone()];
            upload
                .progress
                .expect((made.optimized.len() + made.thumb.len()) as u64);
            objects.push((optimized, made.optimized.into(), "image/jpeg"));
            objects.push((thumb, made.thumb.into(), "image/jpeg"));
        }
        objects.push((
            keys::original(&mrn, category, id, ext),
            upload.bytes.into(),
            file.content_type,
        ));
        // Multipart parts are journaled in the encrypted cache, so a restart resumes them.
        let journal = self.usable_cache().await;
        let mut written = Vec::new();
        for (key, body, content_type) in objects {
            let sent = self
                .store
                .upload_journaled(
                    &key,
                    body,
                    content_type,
                    &upload.progress,
                    &upload.cancel,
                    journal.as_ref().map(|c| c as &dyn PartJournal),
                )
                .await;
            if let Err(e) = sent {
                self.remove_orphans(&written).await;
                return Err(LookupError::from(e).into());
            }
            written.push(key);
        }
        if upload.cancel.is_cancelled() {
            self.remove_orphans(&written).await;
            return Err(LookupError::from(StoreError::Cancelled).into());
        }
        let entry = DocumentEntry {
            id,
            category,
            file_name: file.file_name,
            content_type: file.content_type.to_string(),
            size,
            sha256,
            created: now,
            uploaded_by: actor.clone(),
            variants,
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Pending,
        };
        let may = self.row_permissions().await;
        let attached = update_manifest(&self.store, &mrn, |manifest| {
            attach(manifest, entry.clone(), upload.replace_oldest).map_err(AppError::Attach)?;
            row_for(manifest, id, may).ok_or(AppError::NoSuchDocument)
        })
        .await
        .map_err(AppError::from);
        let row = match attached {
            Ok(row) => row,
            Err(e @ AppError::Attach(crate::domain::AttachError::PreopFull)) => {
                // Refused for certain: no entry names these objects. (Never on AlreadyAttached:
                // a retried upload's objects belong to the entry already there.)
                self.remove_orphans(&written).await;
                return Err(e);
            }
            // The write may have landed with its answer lost: the objects must stay.
            Err(e) => return Err(e),
        };
        audit::record(
            &self.store,
            now,
            &actor,
            AuditAction::Upload,
            &mrn,
            Some(id),
        )
        .await
        .map_err(LookupError::from)?;
        Ok(row)
    }

    /// Best effort: a failed clean-up leaves orphans, which are harmless (no entry names them).
    async fn remove_orphans(&self, keys: &[String]) {
        for key in keys {
            let _ = self.store.delete(key).await;
        }
    }
}
