//! Adding a scan to a patient's record: checked by content, image variants made, stored with
//! SHA-256 checksums, then attached in one compare-and-swap manifest write under the preop rule. Objects first,
//! manifest last: a failure between leaves an orphan object, never an entry without its file.

use sha2::{Digest, Sha256};
use tracing::instrument;
use uuid::Uuid;

use super::{AppError, Services};
use crate::cloud::object_store::{StoreError, Write};
use crate::domain::{
    accept, attach, keys, Action, Category, DocumentEntry, DocumentStatus, FileRefusal, ScanStatus,
    DEFAULT_MAX_BYTES,
};
use crate::records::audit::{self, AuditAction};
use crate::records::{row_for, update_manifest, DocumentRow, LookupError};
use crate::upload::make_variants;

/// One file to add.
pub struct Upload<'a> {
    pub mrn: &'a str,
    pub category: &'a str,
    /// The user's file name: metadata only.
    pub file_name: &'a str,
    pub bytes: Vec<u8>,
    /// The user chose to replace the oldest preop image if preop is full.
    pub replace_oldest: bool,
}

/// The user's file name as the UI sends it in a header (percent-encoded, since header values
/// are ASCII); undecodable bytes become U+FFFD rather than an error.
pub fn decode_file_name(header: &str) -> String {
    percent_encoding::percent_decode_str(header)
        .decode_utf8_lossy()
        .into_owned()
}

impl Services {
    #[instrument(skip_all, err(Display))]
    pub async fn upload_document(&self, upload: Upload<'_>) -> Result<DocumentRow, AppError> {
        self.authorize(Action::Upload).await?;
        let mrn = self.parse_mrn(upload.mrn)?;
        let category = Category::from_id(upload.category).ok_or(AppError::NoSuchCategory)?;
        let file = accept(upload.file_name, &upload.bytes, DEFAULT_MAX_BYTES)?;
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
        let id = Uuid::now_v7();
        let ext = keys::extension_for(file.content_type).unwrap_or("bin");
        let sha256: String = Sha256::digest(&upload.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let size = upload.bytes.len() as u64;
        let mut objects = Vec::new();
        let mut variants = Vec::new();
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
            objects.push((optimized, made.optimized, "image/jpeg"));
            objects.push((thumb, made.thumb, "image/jpeg"));
        }
        objects.push((
            keys::original(&mrn, category, id, ext),
            upload.bytes,
            file.content_type,
        ));
        for (key, body, content_type) in objects {
            match self
                .store
                .put_bytes(&key, body, content_type, Write::Create)
                .await
            {
                Ok(_) | Err(StoreError::Conflict) => {}
                Err(e) => return Err(LookupError::from(e).into()),
            }
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
        let row = update_manifest(&self.store, &mrn, |manifest| {
            attach(manifest, entry.clone(), upload.replace_oldest).map_err(AppError::Attach)?;
            row_for(manifest, id, may).ok_or(AppError::NoSuchDocument)
        })
        .await
        .map_err(AppError::from)?;
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
}
