//! Documents through the records server: lists (with thumbnail URLs), opening, export and the
//! upload intents (start → PUT the bytes straight to S3 → complete). The bytes themselves move
//! over presigned URLs the server issued for one exact key; this holds no AWS credentials.

use std::sync::Arc;

use bytes::Bytes;
use chartdesk_api::{
    DocumentAccess, DocumentHistory, DocumentList, DocumentView, ExportRequest, ExportedDocuments,
    OfflineViews, OfflineViewsAccepted, PresignedRequest,
};
use chartdesk_domain::StatedReason;
use futures_util::{StreamExt, TryStreamExt};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use tokio_util::sync::CancellationToken;

use super::records_server::{with_reason, RecordsServer, ServerError};
use chartdesk_records::store::transfer::{send_presigned, Pieces};
use chartdesk_records::store::{Progress, StoreError};

impl RecordsServer {
    /// One category's rows (or the rows matching `search`), with scan status and thumbnail
    /// URLs, in one request.
    pub async fn list(
        &self,
        token: &str,
        mrn: &str,
        category: Option<&str>,
        search: Option<&str>,
        reason: Option<&StatedReason>,
    ) -> Result<DocumentList, ServerError> {
        let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let query = match (category, search) {
            (Some(c), _) => format!("category={}", enc(c)),
            (None, Some(text)) => format!("search={}", enc(text)),
            (None, None) => String::new(),
        };
        let url = self.url(&format!("/v1/patients/{}/documents?{query}", enc(mrn)));
        self.json(with_reason(self.http.get(url).bearer_auth(token), reason))
            .await
    }

    /// One page of a category: at most `limit` rows after the row `after` names (the first
    /// page without it), with `next` when more follow.
    pub async fn list_page(
        &self,
        token: &str,
        mrn: &str,
        category: &str,
        after: Option<&str>,
        limit: u32,
        reason: Option<&StatedReason>,
    ) -> Result<DocumentList, ServerError> {
        let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let mut query = format!("category={}&limit={limit}", enc(category));
        if let Some(after) = after {
            query.push_str(&format!("&after={}", enc(after)));
        }
        let url = self.url(&format!("/v1/patients/{}/documents?{query}", enc(mrn)));
        self.json(with_reason(self.http.get(url).bearer_auth(token), reason))
            .await
    }

    /// Where to fetch one document, as the original or a page's optimized JPEG (the server
    /// checked scan status and integrity; audited).
    pub async fn open(
        &self,
        token: &str,
        mrn: &str,
        doc_id: &str,
        view: DocumentView,
        page: u32,
        reason: Option<&StatedReason>,
    ) -> Result<DocumentAccess, ServerError> {
        let tail = match view {
            DocumentView::Original => String::new(),
            DocumentView::Optimized if page > 1 => format!("?view=optimized&page={page}"),
            DocumentView::Optimized => "?view=optimized".into(),
        };
        let url = self.document(mrn, doc_id, &tail);
        self.json(with_reason(self.http.get(url).bearer_auth(token), reason))
            .await
    }

    /// What the user may export of the chosen documents, each audited, with its URL.
    pub async fn export(
        &self,
        token: &str,
        mrn: &str,
        chosen: &ExportRequest,
        reason: Option<&StatedReason>,
    ) -> Result<ExportedDocuments, ServerError> {
        let url = self.url(&format!(
            "/v1/patients/{}/export",
            utf8_percent_encode(mrn, NON_ALPHANUMERIC)
        ));
        let request = self.http.post(url).bearer_auth(token).json(chosen);
        self.json(with_reason(request, reason)).await
    }

    /// A category's replaced, detached and deleted documents (clinicians, records admins).
    pub async fn document_history(
        &self,
        token: &str,
        mrn: &str,
        category: &str,
        reason: Option<&StatedReason>,
    ) -> Result<DocumentHistory, ServerError> {
        let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let url = self.url(&format!(
            "/v1/patients/{}/document-history?category={}",
            enc(mrn),
            enc(category)
        ));
        self.json(with_reason(self.http.get(url).bearer_auth(token), reason))
            .await
    }

    /// Views made from the offline copy, reported once back online.
    pub async fn report_offline_views(
        &self,
        token: &str,
        views: &OfflineViews,
    ) -> Result<OfflineViewsAccepted, ServerError> {
        let request = self
            .http
            .post(self.url("/v1/audit/offline-views"))
            .bearer_auth(token)
            .json(views);
        self.json(request).await
    }

    /// The bytes behind a presigned GET, at most `limit` of them.
    pub async fn fetch(&self, url: &str, limit: u64) -> Result<Vec<u8>, ServerError> {
        let answer = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|_| ServerError::Unreachable)?;
        if !answer.status().is_success() {
            return Err(ServerError::Storage(answer.status().as_u16()));
        }
        let mut bytes = Vec::new();
        let mut stream = answer.bytes_stream();
        while let Some(chunk) = stream
            .try_next()
            .await
            .map_err(|_| ServerError::Unreachable)?
        {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(ServerError::Malformed);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// Sends `body` with a presigned PUT (the signed headers exactly as given); the ETag.
    pub async fn put(
        &self,
        request: &PresignedRequest,
        body: &Bytes,
        progress: &Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<String, ServerError> {
        let whole = body.clone();
        let pieces = move || -> Pieces { futures_util::stream::iter([Ok(whole.clone())]).boxed() };
        self.put_pieces(request, body.len() as u64, pieces, progress, cancel)
            .await
    }

    /// As `put`, the `len` bytes read from `pieces` afresh for each attempt (never held whole).
    pub async fn put_pieces(
        &self,
        request: &PresignedRequest,
        len: u64,
        pieces: impl Fn() -> Pieces,
        progress: &Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<String, ServerError> {
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        send_presigned(
            &self.http,
            &request.url,
            &headers,
            len,
            pieces,
            progress,
            cancel,
        )
        .await
        .map_err(|e| match e {
            StoreError::Cancelled => ServerError::Cancelled,
            StoreError::Unreachable => ServerError::Unreachable,
            // The key is written once: an earlier try of this upload got there first, and
            // complete verifies what is stored.
            StoreError::Conflict => ServerError::AlreadyStored,
            StoreError::Failed(f) => ServerError::Storage(f.status().unwrap_or(0)),
            _ => ServerError::Storage(0),
        })
    }
}
