//! Listing a category's documents and opening one, through the records server (which checks
//! the role, scan status and integrity, and audits); cache-first offline (`remote_documents`).

pub use chartdesk_api::DocumentView;
use tracing::instrument;
use uuid::Uuid;

use super::remote_documents::ServerReads;
use super::{AppError, OpenedDocument, Services};
use chartdesk_domain::{Action, Category};
use chartdesk_domain::{DocumentRow, FirstRows};

/// A patient's documents as the shells reach them (`app.documents().list(..)`): list, page,
/// search, open, stamp, add, their history and export.
#[derive(Clone, Copy)]
pub struct Documents<'a> {
    pub(super) app: &'a Services,
}

impl Services {
    /// A patient's documents: list, open, stamp, add, history, export.
    pub fn documents(&self) -> Documents<'_> {
        Documents { app: self }
    }
}

impl Documents<'_> {
    #[instrument(name = "list_documents", skip_all)]
    pub async fn list(self, mrn: &str, category: &str) -> Result<Vec<DocumentRow>, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let category = Category::from_id(category).ok_or(AppError::NoSuchCategory)?;
        ServerReads::of(self.app)
            .list_via_server(&mrn, Some(category), None)
            .await
    }

    /// One page of a category, newest first: at most `limit` rows after the row `after`
    /// names (the first page without it), and the cursor for the next when more follow.
    #[instrument(name = "list_documents_page", skip_all)]
    pub async fn list_page(
        self,
        mrn: &str,
        category: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<FirstRows, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let category = Category::from_id(category).ok_or(AppError::NoSuchCategory)?;
        // The server answers at most this many rows a page; a page of none lists nothing.
        let most = u32::try_from(chartdesk_api::MAX_PAGE_ROWS).unwrap_or(u32::MAX);
        let limit = limit.clamp(1, most);
        ServerReads::of(self.app)
            .list_page_via_server(&mrn, category, after, limit)
            .await
    }

    /// Documents of every category matching `text` (file name, category, uploader).
    #[instrument(name = "search_documents", skip_all)]
    pub async fn search(self, mrn: &str, text: &str) -> Result<Vec<DocumentRow>, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        ServerReads::of(self.app)
            .list_via_server(&mrn, None, Some(text))
            .await
    }

    /// Stamps a lab report *verified* or a radiology report *reviewed* (clinicians): the
    /// server applies it in one compare-and-swap, never over an existing stamp, and audits it.
    #[instrument(name = "stamp_document", skip_all)]
    pub async fn stamp(self, mrn: &str, doc_id: &str) -> Result<DocumentRow, AppError> {
        self.app.authorize(Action::Stamp).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(mrn.as_ref());
        let mut row = server
            .stamp(&token, mrn.as_ref(), doc_id, reason.as_ref())
            .await?;
        row.can_remove = self.app.may(Action::DetachOrDelete).await;
        Ok(row)
    }

    /// The original file, checked against the SHA-256 on record; the server audits the view
    /// before it hands out the URL. Files the scanner flagged are refused.
    pub async fn open(self, mrn: &str, doc_id: &str) -> Result<OpenedDocument, AppError> {
        self.open_as(mrn, doc_id, DocumentView::Original).await
    }

    /// The original, or an image's 1600 px JPEG (what the viewer opens first), checked against
    /// the SHA-256 the server gives; audited like any view.
    #[instrument(name = "open_document_as", skip_all)]
    pub async fn open_as(
        self,
        mrn: &str,
        doc_id: &str,
        view: DocumentView,
    ) -> Result<OpenedDocument, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let id = Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        ServerReads::of(self.app)
            .open_via_server(&mrn, id, view)
            .await
    }

    /// One page's 1600 px preview of an image (page 1 is the optimized JPEG; a TIFF has one
    /// per page), checked and audited as any view; offline, the page kept on this computer.
    #[instrument(name = "open_document_page", skip_all)]
    pub async fn open_page(
        self,
        mrn: &str,
        doc_id: &str,
        page: u32,
    ) -> Result<OpenedDocument, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let id = Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        ServerReads::of(self.app)
            .open_page_via_server(&mrn, id, DocumentView::Optimized, page.max(1))
            .await
    }

    /// The 320 px JPEG thumbnail of an image document, for the list; `None` when the document
    /// has none (PDFs) or the scanner flagged it. The list that handed out its URL was audited.
    #[instrument(name = "document_thumbnail", skip_all)]
    pub async fn thumbnail(self, mrn: &str, doc_id: &str) -> Result<Option<Vec<u8>>, AppError> {
        self.app.authorize(Action::ViewRecords).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let id = Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        ServerReads::of(self.app)
            .thumbnail_via_server(&mrn, id)
            .await
    }
}
