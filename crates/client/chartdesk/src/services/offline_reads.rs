//! What this user opened before, read from the encrypted cache when the records server cannot
//! be reached: only while the record as last read allows it (`chartdesk_domain::withheld`, the
//! rule the server follows), checked against the SHA-256 on record, and queued for the audit.

use uuid::Uuid;

use chartdesk_api::{DocumentView, OfflineAction};

use super::offline_views::{OfflineAudit, OfflineRead};
use super::remote_documents::{file_key, page_key, ServerReads};
use super::{AppError, OpenedDocument};
use crate::cache::FileView;
use crate::cloud::ServerError;
use chartdesk_domain::{find_entry, sha256_hex, BreakGlassError, Mrn};
use chartdesk_records::PatientRecord;

impl ServerReads<'_> {
    /// The copy kept offline: the optimized JPEG when asked for and kept (it was checked when
    /// it came, and the cache is encrypted and authenticated), or the original, checked against
    /// the SHA-256 on record. An optimized view never kept, of an original that was, is refused
    /// with `OptimizedNotKept`, so the window asks for the original and labels it as such.
    pub(super) async fn open_offline(
        self,
        mrn: &Mrn,
        id: Uuid,
        view: DocumentView,
        page: u32,
    ) -> Result<OpenedDocument, AppError> {
        let unreachable = || AppError::Server(ServerError::Unreachable);
        let record = self.offline_record(mrn).await?;
        let entry = find_entry(&record.manifest, id).ok_or(AppError::NoSuchDocument)?;
        // The record as last read may say what the copy, kept earlier, does not.
        if let Some(why) = chartdesk_domain::withheld(entry) {
            return Err(why.into());
        }
        let cache = self.app.usable_cache().await.ok_or_else(unreachable)?;
        let kept = |view| {
            let cache = &cache;
            async move { cache.file(&file_key(mrn, view, id)).await.ok().flatten() }
        };
        let opened = match view {
            DocumentView::Optimized => {
                let preview = cache.file(&page_key(mrn, view, id, page)).await;
                let bytes = match preview.ok().flatten() {
                    Some(bytes) => bytes,
                    None if cache
                        .has_file(&file_key(mrn, FileView::Original, id))
                        .await
                        .unwrap_or(false) =>
                    {
                        return Err(AppError::OptimizedNotKept)
                    }
                    None => return Err(unreachable()),
                };
                OpenedDocument {
                    view: DocumentView::Optimized,
                    content_type: "image/jpeg".into(),
                    file_name: entry.file_name.clone(),
                    bytes,
                }
            }
            DocumentView::Original => {
                let bytes = kept(FileView::Original).await.ok_or_else(unreachable)?;
                if entry.sha256.is_empty() || sha256_hex(&bytes) != entry.sha256 {
                    return Err(AppError::Corrupted);
                }
                OpenedDocument {
                    view: DocumentView::Original,
                    content_type: entry.content_type.clone(),
                    file_name: entry.file_name.clone(),
                    bytes,
                }
            }
        };
        OfflineAudit::of(self.app)
            .queue_offline_read(OfflineRead {
                mrn,
                action: OfflineAction::View,
                doc_id: Some(id),
                count: None,
            })
            .await?;
        Ok(opened)
    }

    /// The thumbnail kept for this patient, shown offline: queued for the audit.
    pub(super) async fn thumbnail_offline(
        self,
        mrn: &Mrn,
        id: Uuid,
    ) -> Result<Option<Vec<u8>>, AppError> {
        let record = self.offline_record(mrn).await?;
        // As the server's list would: none for a document no longer in the record, or one
        // that may not be handed out.
        let entry = find_entry(&record.manifest, id);
        if entry.is_none_or(|e| chartdesk_domain::withheld(e).is_some()) {
            return Ok(None);
        }
        let Some(cache) = self.app.usable_cache().await else {
            return Ok(None);
        };
        let kept = cache
            .file(&file_key(mrn, FileView::Thumbnail, id))
            .await
            .ok()
            .flatten();
        if kept.is_some() {
            OfflineAudit::of(self.app)
                .queue_offline_read(OfflineRead {
                    mrn,
                    action: OfflineAction::Thumbnails,
                    doc_id: Some(id),
                    count: Some(1),
                })
                .await?;
        }
        Ok(kept)
    }

    /// The cached record for reading offline. A restricted record needs the break-glass
    /// reason, as online: given at the find (offline too), and sent with the reads.
    pub(super) async fn offline_record(self, mrn: &Mrn) -> Result<PatientRecord, AppError> {
        let (record, _) = self
            .app
            .cached_record(mrn.as_ref())
            .await
            .ok_or(AppError::Server(ServerError::Unreachable))?;
        if record.patient.flags.restricted && self.app.records.reason_for(mrn.as_ref()).is_none() {
            return Err(BreakGlassError::ReasonRequired.into());
        }
        Ok(record)
    }
}
