//! Reading records through the records server, cache-first as before: the server checks the
//! role, the break-glass reason and integrity, audits, and hands out presigned URLs; the bytes
//! are checked here again against the SHA-256 on record and kept in the encrypted cache. When
//! the server cannot be reached, what this user opened before is served from the cache
//! (`offline_reads.rs`), and those views are reported to the server later.

use tracing::warn;
use uuid::Uuid;

use chartdesk_api::OfflineAction;

use super::offline_views::OfflineAudit;
use super::offline_views::OfflineRead;
use super::records_client::{RecordsError, THUMBNAIL_LIMIT};
use super::{AppError, OpenedDocument, Services};
use crate::cache::{FileKey, FileView};
use crate::cloud::ServerError;
use chartdesk_api::DocumentView;
use chartdesk_domain::{page_of, rows_for, rows_matching, DocumentRow, FirstRows};
use chartdesk_domain::{sha256_hex, Category, Mrn, StatedReason};
use chartdesk_domain::{Action, RowPermissions};
use chartdesk_records::PatientRecord;

/// Where a patient's rendition of a document is kept in the encrypted cache: document ids
/// need not be unique across patients, so never under the id alone.
pub(super) fn file_key(mrn: &Mrn, view: FileView, id: Uuid) -> FileKey {
    FileKey::new(mrn.as_ref(), view, &id.to_string())
}

/// Where one page's preview is kept: page 1 is the optimized JPEG itself; a TIFF's later pages
/// are kept beside it under the document id and page.
pub(super) fn page_key(mrn: &Mrn, view: DocumentView, id: Uuid, page: u32) -> FileKey {
    match view {
        DocumentView::Optimized if page > 1 => {
            FileKey::new(mrn.as_ref(), FileView::Optimized, &format!("{id}-p{page}"))
        }
        _ => file_key(mrn, file_view(view), id),
    }
}

fn file_view(view: DocumentView) -> FileView {
    match view {
        DocumentView::Original => FileView::Original,
        DocumentView::Optimized => FileView::Optimized,
    }
}

/// The reads behind `Patients` and `Documents`: through the records server, cache-first
/// offline.
#[derive(Clone, Copy)]
pub(super) struct ServerReads<'a> {
    pub(super) app: &'a Services,
}

impl<'a> ServerReads<'a> {
    pub(super) fn of(app: &'a Services) -> Self {
        Self { app }
    }
}

impl ServerReads<'_> {
    /// The patient and record by what was typed; the server decides and audits the find.
    /// `None` when `version` (the record version a find gave) is still current.
    pub(super) async fn find_via_server(
        self,
        query: &str,
        reason: Option<&StatedReason>,
        version: Option<&str>,
    ) -> Result<Option<PatientRecord>, AppError> {
        self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        Ok(self
            .app
            .records
            .find(&token, query, reason, version)
            .await?)
    }

    /// A category's rows (or those matching `search`) with the server's scan status; the
    /// thumbnail URLs are kept for `thumbnail_via_server`. Offline: from the cached record.
    pub(super) async fn list_via_server(
        self,
        mrn: &Mrn,
        category: Option<Category>,
        search: Option<&str>,
    ) -> Result<Vec<DocumentRow>, AppError> {
        self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        match self.app.records.list(&token, mrn, category, search).await {
            Ok(rows) => Ok(rows),
            Err(RecordsError::Server(ServerError::Unreachable)) => {
                let rows = self.offline_rows(mrn, category, search).await?;
                self.note_offline_list(mrn, rows.len()).await?;
                Ok(rows)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A category's rows (or those matching `search`) as the offline copy holds them.
    async fn offline_rows(
        self,
        mrn: &Mrn,
        category: Option<Category>,
        search: Option<&str>,
    ) -> Result<Vec<DocumentRow>, AppError> {
        let record = self.offline_record(mrn).await?;
        let may = self.row_permissions().await;
        Ok(match (category, search) {
            (Some(c), _) => rows_for(&record.manifest, c, may),
            (None, text) => rows_matching(&record.manifest, text.unwrap_or_default(), may),
        })
    }

    /// `count` rows listed from the offline copy, reported to the server when back online.
    async fn note_offline_list(self, mrn: &Mrn, count: usize) -> Result<(), AppError> {
        OfflineAudit::of(self.app)
            .queue_offline_read(OfflineRead {
                mrn,
                action: OfflineAction::List,
                doc_id: None,
                count: Some(u32::try_from(count).unwrap_or(u32::MAX)),
            })
            .await
    }

    /// One page of a category, as `list_via_server`; offline the same page (same cursor rule)
    /// from the offline copy, reported when back online.
    pub(super) async fn list_page_via_server(
        self,
        mrn: &Mrn,
        category: Category,
        after: Option<&str>,
        limit: u32,
    ) -> Result<FirstRows, AppError> {
        self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        match self
            .app
            .records
            .list_page(&token, mrn, category, after, limit)
            .await
        {
            Ok((rows, next)) => Ok(FirstRows {
                category,
                rows,
                next,
            }),
            Err(RecordsError::Server(ServerError::Unreachable)) => {
                let all = self.offline_rows(mrn, Some(category), None).await?;
                let limit = usize::try_from(limit).ok();
                let (rows, next) =
                    page_of(all, |r| r.id.as_str(), after, limit).ok_or(AppError::ListChanged)?;
                self.note_offline_list(mrn, rows.len()).await?;
                Ok(FirstRows {
                    category,
                    rows,
                    next,
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
        self,
        mrn: &Mrn,
        id: Uuid,
        view: DocumentView,
    ) -> Result<OpenedDocument, AppError> {
        self.open_page_via_server(mrn, id, view, 1).await
    }

    /// As `open_via_server`, for one page's preview of an image (`page` counts from 1; the
    /// original has one page here).
    pub(super) async fn open_page_via_server(
        self,
        mrn: &Mrn,
        id: Uuid,
        view: DocumentView,
        page: u32,
    ) -> Result<OpenedDocument, AppError> {
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(mrn.as_ref());
        let access = match server
            .open(
                &token,
                mrn.as_ref(),
                &id.to_string(),
                view,
                page,
                reason.as_ref(),
            )
            .await
        {
            Ok(access) => access,
            Err(ServerError::Unreachable) => return self.open_offline(mrn, id, view, page).await,
            Err(e) => return Err(e.into()),
        };
        let bytes = server.fetch(&access.url, access.size).await?;
        if access.sha256.len() != 64 || sha256_hex(&bytes) != access.sha256 {
            return Err(AppError::Corrupted);
        }
        self.keep_file(page_key(mrn, access.view, id, page), &bytes, &access.sha256)
            .await;
        if let Some(url) = &access.text_url {
            self.keep_text(mrn, id, url).await;
        }
        self.app.keep_within_budget().await;
        Ok(OpenedDocument {
            view: access.view,
            content_type: access.content_type,
            file_name: access.file_name,
            bytes,
        })
    }

    /// The thumbnail behind the URL the last list handed out for this patient; offline, the
    /// copy kept for this patient (the read is queued for the audit).
    pub(super) async fn thumbnail_via_server(
        self,
        mrn: &Mrn,
        id: Uuid,
    ) -> Result<Option<Vec<u8>>, AppError> {
        let server = self.app.records.server_or_none()?;
        let key = file_key(mrn, FileView::Thumbnail, id);
        let handed_out = || self.app.records.handed_out_thumbnail(mrn, id);
        let mut url = handed_out();
        if url.is_none() && !server.is_offline() {
            // Not from a list on screen (e.g. just uploaded): one list of the whole record
            // hands out its URL, and is audited as the view it is.
            match self.list_via_server(mrn, None, Some("")).await {
                Ok(_) => url = handed_out(),
                Err(AppError::Server(ServerError::Unreachable)) => {}
                Err(e) => return Err(e),
            }
        }
        let from_cache = || async {
            match self.app.usable_cache().await {
                Some(cache) => cache.file(&key).await.ok().flatten(),
                None => None,
            }
        };
        let url = match url {
            // The server withheld it: never the cached copy instead.
            Some(None) => return Ok(None),
            _ if server.is_offline() => return self.thumbnail_offline(mrn, id).await,
            Some(Some(url)) => url,
            // Online, and not in the patient's list: nothing to show.
            None => return Ok(None),
        };
        // Handed out by the list just made (audited): inside its answer, or kept for this
        // patient from before. Either way no request.
        if let Some(bytes) = self.app.records.take_inline_thumbnail(mrn, id) {
            self.keep_file(key, &bytes, &sha256_hex(&bytes)).await;
            return Ok(Some(bytes));
        }
        if let Some(bytes) = from_cache().await {
            return Ok(Some(bytes));
        }
        match server.fetch(&url, THUMBNAIL_LIMIT).await {
            Ok(bytes) => {
                // The server gives no hash for a thumbnail: these bytes came from a URL it
                // handed out for this patient, so their own hash is what reads check.
                self.keep_file(key, &bytes, &sha256_hex(&bytes)).await;
                Ok(Some(bytes))
            }
            Err(ServerError::Unreachable) => self.thumbnail_offline(mrn, id).await,
            // Expired: the next list hands out a fresh URL; the list was audited.
            Err(ServerError::Storage(_)) => Ok(from_cache().await),
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps bytes in the encrypted cache, checked against `sha256` (best effort: the screen
    /// never waits on it).
    pub(super) async fn keep_file(self, key: FileKey, bytes: &[u8], sha256: &str) {
        let Some(cache) = self.app.usable_cache().await else {
            return;
        };
        let now = (self.app.clock)().format(&time::format_description::well_known::Rfc3339);
        let saved = cache
            .save_file(&key, bytes.to_vec(), sha256, &now.unwrap_or_default())
            .await;
        if let Err(e) = saved {
            warn!(kind = e.kind(), "could not keep a file offline");
        }
    }

    pub(super) async fn row_permissions(self) -> RowPermissions {
        RowPermissions {
            stamp: self.app.may(Action::Stamp).await,
            remove: self.app.may(Action::DetachOrDelete).await,
        }
    }
}
