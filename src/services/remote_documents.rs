//! Reading records through the records server, cache-first as before: the server checks the
//! role, the break-glass reason and integrity, audits, and hands out presigned URLs; the bytes
//! are checked here again against the SHA-256 on record and kept in the encrypted cache. When
//! the server cannot be reached, what this user opened before is served from the cache, and
//! those views are reported to the server later.

use std::collections::HashMap;
use std::sync::Mutex;

use tracing::warn;
use uuid::Uuid;

use super::documents::DocumentView;
use super::{AppError, OpenedDocument, Services};
use crate::cloud::{RecordsServer, ServerError};
use crate::domain::{sha256_hex, Category, Mrn, StatedReason};
use crate::records::audit::{self, AuditAction};
use crate::records::{find_entry, rows_for, rows_matching, DocumentRow, PatientRecord};

/// The name a document's bytes are kept under in the encrypted cache.
fn cached_name(id: Uuid, view: DocumentView) -> String {
    match view {
        DocumentView::Original => id.to_string(),
        DocumentView::Optimized => format!("optimized-{id}"),
    }
}

/// A thumbnail is a 320 px JPEG: anything far larger is not one.
const THUMBNAIL_LIMIT: u64 = 4 * 1024 * 1024;

/// A thumbnail sent inside a list: base64 of at most `THUMBNAIL_LIMIT` bytes, else ignored.
fn decode_thumbnail(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    if text.len() as u64 > THUMBNAIL_LIMIT * 4 / 3 + 4 {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// What the server handed out for the patients on screen, kept in memory only and forgotten
/// at sign-out: the break-glass reason given per patient (sent with every request about
/// them) and the thumbnail URLs of the last lists.
#[derive(Default)]
pub(super) struct HandedOut {
    reasons: Mutex<HashMap<String, StatedReason>>,
    /// `None`: the last list gave no thumbnail (none made, or the scanner flagged it).
    thumbnails: Mutex<HashMap<Uuid, Option<String>>>,
    /// Thumbnails that came inside the last lists (the first screen), taken once.
    inline: Mutex<HashMap<Uuid, Vec<u8>>>,
}

impl HandedOut {
    pub(super) fn forget(&self) {
        if let Ok(mut r) = self.reasons.lock() {
            r.clear();
        }
        if let Ok(mut t) = self.thumbnails.lock() {
            t.clear();
        }
        if let Ok(mut t) = self.inline.lock() {
            t.clear();
        }
    }
}

impl Services {
    pub(super) fn reason_for(&self, mrn: &str) -> Option<StatedReason> {
        let reasons = self.handed_out.reasons.lock().ok()?;
        reasons.get(mrn).cloned()
    }

    pub(super) fn remember_reason(&self, mrn: &str, reason: &StatedReason) {
        if let Ok(mut reasons) = self.handed_out.reasons.lock() {
            reasons.insert(mrn.to_string(), reason.clone());
        }
    }

    pub(super) fn records_server_or_none(&self) -> Result<&RecordsServer, AppError> {
        self.records_server().ok_or(AppError::NoServer)
    }

    /// The patient and record by what was typed; the server decides and audits the find.
    /// `None` when `version` (the record version a find gave) is still current.
    pub(super) async fn find_via_server(
        &self,
        query: &str,
        reason: Option<&StatedReason>,
        version: Option<&str>,
    ) -> Result<Option<PatientRecord>, AppError> {
        let server = self.records_server_or_none()?;
        let token = self.access_token().await?;
        let found = server.find_record(&token, query, reason, version).await?;
        // The cache keeps the server's record version where it kept the manifest's ETag:
        // revalidation sends it back.
        Ok(found.map(|f| PatientRecord {
            patient: f.patient,
            manifest: f.manifest,
            manifest_etag: Some(f.version),
        }))
    }

    /// A category's rows (or those matching `search`) with the server's scan status; the
    /// thumbnail URLs are kept for `thumbnail_via_server`. Offline: from the cached record.
    pub(super) async fn list_via_server(
        &self,
        mrn: &Mrn,
        category: Option<Category>,
        search: Option<&str>,
    ) -> Result<Vec<DocumentRow>, AppError> {
        let server = self.records_server_or_none()?;
        let token = self.access_token().await?;
        let reason = self.reason_for(mrn.as_ref());
        let listed = server
            .list(
                &token,
                mrn.as_ref(),
                category.map(Category::id),
                search,
                reason.as_ref(),
            )
            .await;
        match listed {
            Ok(list) => {
                let mut rows = Vec::with_capacity(list.rows.len());
                if let (Ok(mut thumbs), Ok(mut inline)) = (
                    self.handed_out.thumbnails.lock(),
                    self.handed_out.inline.lock(),
                ) {
                    for listed in &list.rows {
                        let Ok(id) = Uuid::parse_str(&listed.row.id) else {
                            continue;
                        };
                        thumbs.insert(id, listed.thumbnail_url.clone());
                        match listed.thumbnail.as_deref().and_then(decode_thumbnail) {
                            Some(bytes) => inline.insert(id, bytes),
                            None => inline.remove(&id),
                        };
                    }
                }
                rows.extend(list.rows.into_iter().map(|l| l.row));
                Ok(rows)
            }
            Err(ServerError::Unreachable) => {
                let (record, _) = self
                    .cached_record(mrn.as_ref())
                    .await
                    .ok_or(ServerError::Unreachable)?;
                let may = self.row_permissions().await;
                Ok(match (category, search) {
                    (Some(c), _) => rows_for(&record.manifest, c, may),
                    (None, text) => rows_matching(&record.manifest, text.unwrap_or_default(), may),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Opens a document: the server's word (scan status, integrity; audited), then the bytes
    /// through its presigned GET, checked against the SHA-256 the server gave (the one on
    /// record for the original). Offline, the copy this user opened before, checked the same
    /// way; the view is reported when back online.
    pub(super) async fn open_via_server(
        &self,
        mrn: &Mrn,
        id: Uuid,
        view: DocumentView,
    ) -> Result<OpenedDocument, AppError> {
        let server = self.records_server_or_none()?;
        let token = self.access_token().await?;
        let reason = self.reason_for(mrn.as_ref());
        let access = match server
            .open(&token, mrn.as_ref(), &id.to_string(), view, reason.as_ref())
            .await
        {
            Ok(access) => access,
            Err(ServerError::Unreachable) => return self.open_offline(mrn, id, view).await,
            Err(e) => return Err(e.into()),
        };
        let bytes = server.fetch(&access.url, access.size).await?;
        if access.sha256.len() != 64 || sha256_hex(&bytes) != access.sha256 {
            return Err(AppError::Corrupted);
        }
        self.keep_file(&cached_name(id, access.view), mrn, &bytes)
            .await;
        self.keep_within_budget().await;
        Ok(OpenedDocument {
            view: access.view,
            content_type: access.content_type,
            file_name: access.file_name,
            bytes,
        })
    }

    /// The copy kept offline: the optimized JPEG when asked for and kept (it was checked when
    /// it came, and the cache is encrypted and authenticated), or the original, checked against
    /// the SHA-256 on record. An optimized view never kept, of an original that was, is refused
    /// with `OptimizedNotKept`, so the window asks for the original and labels it as such.
    async fn open_offline(
        &self,
        mrn: &Mrn,
        id: Uuid,
        view: DocumentView,
    ) -> Result<OpenedDocument, AppError> {
        let unreachable = || AppError::Server(ServerError::Unreachable);
        let (record, _) = self
            .cached_record(mrn.as_ref())
            .await
            .ok_or_else(unreachable)?;
        let entry = find_entry(&record.manifest, id).ok_or(AppError::NoSuchDocument)?;
        let cache = self.usable_cache().await.ok_or_else(unreachable)?;
        let kept = |view| {
            let cache = &cache;
            async move { cache.file(&cached_name(id, view)).await.ok().flatten() }
        };
        let opened = match view {
            DocumentView::Optimized => {
                let bytes = match kept(DocumentView::Optimized).await {
                    Some(bytes) => bytes,
                    None if cache
                        .has_file(&cached_name(id, DocumentView::Original))
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
                let bytes = kept(DocumentView::Original).await.ok_or_else(unreachable)?;
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
        self.queue_offline_view(mrn, id).await?;
        Ok(opened)
    }

    /// A view from the offline copy, kept in the encrypted cache until the server takes it.
    /// Without a cache to keep it in, the view is refused (no unaudited view).
    async fn queue_offline_view(&self, mrn: &Mrn, id: Uuid) -> Result<(), AppError> {
        let actor = self.actor().await?;
        let (key, event) = audit::event((self.clock)(), &actor, AuditAction::View, mrn, Some(id));
        let cache = self
            .usable_cache()
            .await
            .ok_or(AppError::Server(ServerError::Unreachable))?;
        let json = serde_json::to_string(&event)
            .map_err(|e| crate::cache::CacheError::Database(e.to_string()))?;
        cache.queue_audit(&key, json).await?;
        Ok(())
    }

    /// The thumbnail behind the URL the last list handed out; the cached copy when offline.
    pub(super) async fn thumbnail_via_server(
        &self,
        mrn: &Mrn,
        id: Uuid,
    ) -> Result<Option<Vec<u8>>, AppError> {
        let server = self.records_server_or_none()?;
        let cached_name = format!("thumb-{id}");
        let handed_out = || {
            self.handed_out
                .thumbnails
                .lock()
                .ok()
                .and_then(|t| t.get(&id).cloned())
        };
        let mut url = handed_out();
        if url.is_none() && !server.is_offline() {
            // Not from a list on screen (e.g. just uploaded): one list of the whole record
            // hands out its URL, and is audited as the view it is.
            if self.list_via_server(mrn, None, Some("")).await.is_ok() {
                url = handed_out();
            }
        }
        let from_cache = || async {
            match self.usable_cache().await {
                Some(cache) => cache.file(&cached_name).await.ok().flatten(),
                None => None,
            }
        };
        let url = match url {
            Some(Some(url)) => url,
            // The server withheld it: never the cached copy instead.
            Some(None) => return Ok(None),
            None => return Ok(from_cache().await),
        };
        // Handed out by the list just made: inside its answer, or (a thumbnail never changes
        // under its doc id) kept offline from before. Either way no request.
        let inline = self
            .handed_out
            .inline
            .lock()
            .ok()
            .and_then(|mut t| t.remove(&id));
        if let Some(bytes) = inline {
            self.keep_file(&cached_name, mrn, &bytes).await;
            return Ok(Some(bytes));
        }
        if let Some(bytes) = from_cache().await {
            return Ok(Some(bytes));
        }
        match server.fetch(&url, THUMBNAIL_LIMIT).await {
            Ok(bytes) => {
                self.keep_file(&cached_name, mrn, &bytes).await;
                Ok(Some(bytes))
            }
            Err(ServerError::Unreachable) => Ok(from_cache().await),
            // Expired: the next list hands out a fresh URL.
            Err(ServerError::Storage(_)) => Ok(from_cache().await),
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps bytes in the encrypted cache (best effort: the screen never waits on it).
    pub(super) async fn keep_file(&self, name: &str, mrn: &Mrn, bytes: &[u8]) {
        let Some(cache) = self.usable_cache().await else {
            return;
        };
        let now = (self.clock)().format(&time::format_description::well_known::Rfc3339);
        let saved = cache
            .save_file(name, mrn.as_ref(), bytes.to_vec(), &now.unwrap_or_default())
            .await;
        if let Err(e) = saved {
            warn!(error = %e, "could not keep a file offline");
        }
    }

    /// Reports views made offline (oldest first); stops at the first batch the server does not
    /// take, leaving it queued.
    pub(super) async fn report_offline_views(&self) -> Result<(), AppError> {
        let Some(cache) = self.usable_cache().await else {
            return Ok(());
        };
        let server = self.records_server_or_none()?;
        let pending = cache.pending_audits().await?;
        if pending.is_empty() {
            return Ok(());
        }
        let mut keys = Vec::with_capacity(pending.len());
        let mut views = Vec::with_capacity(pending.len());
        for (key, json) in pending {
            match serde_json::from_str::<audit::AuditEvent>(&json) {
                Ok(e) => views.push(chartdesk_api::OfflineView {
                    event_id: e.event_id,
                    mrn: e.mrn,
                    doc_id: e.doc_id,
                    at: e.at,
                    action: chartdesk_api::OfflineAction::View,
                    reason: None,
                    reason_detail: None,
                    count: None,
                }),
                // Unreadable: nothing the server could take; drop it rather than block the rest.
                Err(_) => warn!("dropping an unreadable offline view"),
            }
            keys.push(key);
        }
        let token = self.access_token().await?;
        if !views.is_empty() {
            server
                .report_offline_views(&token, &chartdesk_api::OfflineViews { views })
                .await?;
        }
        for key in keys {
            cache.audit_sent(&key).await?;
        }
        Ok(())
    }
}
