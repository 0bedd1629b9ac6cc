//! The records server as the desktop and the CLI reach it: HTTPS `/v1` with the user's Cognito
//! access token. The server decides; this only carries requests and maps its `{code, message}`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chartdesk_api::{
    AlertList, ApiErrorCode, AuditHistory, ClientConfig, ErrorBody, FoundPatient, ImportReport,
    BREAK_GLASS_DETAIL_HEADER, BREAK_GLASS_REASON_HEADER,
};
use chartdesk_domain::StatedReason;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;

use chartdesk_domain::DocumentRow;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ServerError {
    #[error("The records server could not be reached. Check the network connection and try again")]
    Unreachable,
    /// The server refused, with its reason.
    #[error("{}", .0.message)]
    Refused(ErrorBody),
    #[error("The records server gave an answer this app cannot read")]
    Malformed,
    /// The file store refused a presigned transfer (expired, or the object is gone).
    #[error("The file store refused the transfer (HTTP {0}). Please try again")]
    Storage(u16),
    #[error("The transfer was cancelled")]
    Cancelled,
    /// A write-once key already holds an object (an earlier try of the same upload).
    #[error("The file is already stored")]
    AlreadyStored,
}

impl ServerError {
    pub fn code(&self) -> Option<ApiErrorCode> {
        match self {
            ServerError::Refused(body) => Some(body.code),
            _ => None,
        }
    }

    /// What went wrong, for logs (a refusal's message is the server's words to the user).
    pub fn kind(&self) -> &'static str {
        match self {
            ServerError::Unreachable => "unreachable",
            ServerError::Refused(_) => "refused",
            ServerError::Malformed => "malformed",
            ServerError::Storage(_) => "storage",
            ServerError::Cancelled => "cancelled",
            ServerError::AlreadyStored => "already_stored",
        }
    }
}

/// How a records admin takes a document out of the record.
#[derive(Debug, Clone, Copy)]
pub enum Removal<'a> {
    /// The document leaves the record; its files are kept (it shows in the history).
    Detach,
    /// Its files are removed; a tombstone with `why` stays in the history.
    Delete { why: &'a str },
}

/// Which page of an access history: after a `next` the server handed out (the newest page
/// when `None`), and at most `limit` events (the server's default when `None`).
#[derive(Debug, Clone, Copy, Default)]
pub struct HistoryPage<'a> {
    pub after: Option<&'a str>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct RecordsServer {
    pub(super) http: reqwest::Client,
    base: String,
    /// Set when the last request found no network; cleared by the next answer.
    offline: Arc<AtomicBool>,
}

impl RecordsServer {
    pub fn new(base: &str) -> Self {
        // Same limits as the SDK's (cloud/mod.rs): a dropped network is an error in seconds.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            offline: Arc::default(),
        }
    }

    /// Whether the last request found no network (the offline banner; the outbox waits).
    pub fn is_offline(&self) -> bool {
        self.offline.load(Ordering::Relaxed)
    }

    /// One cheap request (`/v1/health`): is the server there? Updates `is_offline`.
    pub async fn probe(&self) -> bool {
        let request = self
            .http
            .get(self.url("/v1/health"))
            .timeout(Duration::from_secs(3));
        self.send(request).await.is_ok()
    }

    /// The hospital's policy as the server enforces it (public: no token).
    pub async fn client_config(&self) -> Result<ClientConfig, ServerError> {
        let request = self
            .http
            .get(self.url("/v1/client-config"))
            .timeout(Duration::from_secs(3));
        self.json(request).await
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(super) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ServerError> {
        let answer = match request.send().await {
            Ok(answer) => answer,
            Err(_) => {
                self.offline.store(true, Ordering::Relaxed);
                return Err(ServerError::Unreachable);
            }
        };
        self.offline.store(false, Ordering::Relaxed);
        if answer.status().is_success() || answer.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(answer);
        }
        let status = answer.status();
        match answer.json::<ErrorBody>().await {
            Ok(body) => Err(ServerError::Refused(body)),
            // A gateway's or proxy's page (502, 504 during a redeploy): the server is not
            // there just now, which a later try gets past.
            Err(_) if status.is_server_error() => Err(ServerError::Refused(ErrorBody {
                code: ApiErrorCode::Unavailable,
                message: format!(
                    "The records server is not available just now (HTTP {}); try again shortly",
                    status.as_u16()
                ),
                choices: None,
            })),
            Err(_) => Err(ServerError::Malformed),
        }
    }

    pub(super) async fn json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ServerError> {
        self.send(request)
            .await?
            .json::<T>()
            .await
            .map_err(|_| ServerError::Malformed)
    }

    /// A patient's banner, tiles and first screen (audited as a find by the server), and
    /// the record when `with_record`. A restricted record needs `reason`.
    pub async fn find(
        &self,
        token: &str,
        query: &str,
        reason: Option<&StatedReason>,
        with_record: bool,
    ) -> Result<FoundPatient, ServerError> {
        let asking = if with_record {
            "record=true"
        } else {
            "record=false"
        };
        self.find_asking(token, query, asking, reason, None)
            .await?
            .ok_or(ServerError::Malformed)
    }

    /// The patient and their record alone, no first screen (audited as a find by the
    /// server): the offline copy's and revalidation's read. `None` when `version` (from an
    /// earlier find) is still current (304).
    pub async fn find_record(
        &self,
        token: &str,
        query: &str,
        reason: Option<&StatedReason>,
        version: Option<&str>,
    ) -> Result<Option<FoundPatient>, ServerError> {
        self.find_asking(token, query, "screen=false", reason, version)
            .await
    }

    async fn find_asking(
        &self,
        token: &str,
        query: &str,
        asking: &str,
        reason: Option<&StatedReason>,
        version: Option<&str>,
    ) -> Result<Option<FoundPatient>, ServerError> {
        let url = self.url(&format!(
            "/v1/patients?q={}&{asking}",
            utf8_percent_encode(query, NON_ALPHANUMERIC)
        ));
        let mut request = with_reason(self.http.get(url).bearer_auth(token), reason);
        if let Some(etag) = version {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let answer = self.send(request).await?;
        if answer.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        answer
            .json()
            .await
            .map(Some)
            .map_err(|_| ServerError::Malformed)
    }

    /// The record's version alone (not audited: an open record polls it); `None` while
    /// `seen` is still current (304).
    pub async fn record_version(
        &self,
        token: &str,
        mrn: &str,
        reason: Option<&StatedReason>,
        seen: Option<&str>,
    ) -> Result<Option<String>, ServerError> {
        let url = self.url(&format!(
            "/v1/patients/{}/version",
            utf8_percent_encode(mrn, NON_ALPHANUMERIC)
        ));
        let mut request = with_reason(self.http.get(url).bearer_auth(token), reason);
        if let Some(version) = seen {
            request = request.header(reqwest::header::IF_NONE_MATCH, version);
        }
        let answer = self.send(request).await?;
        if answer.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        answer
            .json::<chartdesk_api::RecordVersion>()
            .await
            .map(|v| Some(v.version))
            .map_err(|_| ServerError::Malformed)
    }

    pub(super) fn document(&self, mrn: &str, doc_id: &str, tail: &str) -> String {
        let seg = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        self.url(&format!(
            "/v1/patients/{}/documents/{}{tail}",
            seg(mrn),
            seg(doc_id)
        ))
    }

    pub async fn stamp(
        &self,
        token: &str,
        mrn: &str,
        doc_id: &str,
        reason: Option<&StatedReason>,
    ) -> Result<DocumentRow, ServerError> {
        let url = self.document(mrn, doc_id, "/stamp");
        self.json(with_reason(self.http.post(url).bearer_auth(token), reason))
            .await
    }

    /// Detach (the document leaves the record, its file is kept) or delete (with the reason
    /// its tombstone keeps).
    pub async fn remove(
        &self,
        token: &str,
        mrn: &str,
        doc_id: &str,
        reason: Option<&StatedReason>,
        removal: Removal<'_>,
    ) -> Result<(), ServerError> {
        let request = match removal {
            Removal::Delete { why } => self.http.delete(self.document(mrn, doc_id, "")).json(
                &chartdesk_api::DeleteDocument {
                    reason: why.to_string(),
                },
            ),
            Removal::Detach => self.http.post(self.document(mrn, doc_id, "/detach")),
        };
        self.send(with_reason(request.bearer_auth(token), reason))
            .await
            .map(|_| ())
    }

    /// One page of a patient's access history, newest first (with the break-glass reason given
    /// for a restricted record): the newest page, or the one after `page.after` (a `next` the
    /// server handed out). Its `next` is set while older events remain.
    pub async fn access_history(
        &self,
        token: &str,
        mrn: &str,
        reason: Option<&StatedReason>,
        page: HistoryPage<'_>,
    ) -> Result<AuditHistory, ServerError> {
        let mut query = Vec::new();
        if let Some(limit) = page.limit {
            query.push(format!("limit={limit}"));
        }
        if let Some(after) = page.after {
            // The cursor is the server's own, sent back as it came (encoded, never parsed).
            let after = utf8_percent_encode(after, NON_ALPHANUMERIC);
            query.push(format!("after={after}"));
        }
        let query = match query.is_empty() {
            true => String::new(),
            false => format!("?{}", query.join("&")),
        };
        let url = self.url(&format!(
            "/v1/patients/{}/audit{query}",
            utf8_percent_encode(mrn, NON_ALPHANUMERIC)
        ));
        self.json(with_reason(self.http.get(url).bearer_auth(token), reason))
            .await
    }

    /// The newest documents the virus scanner blocked, trust-wide (records admins).
    pub async fn alerts(&self, token: &str) -> Result<AlertList, ServerError> {
        self.json(self.http.get(self.url("/v1/alerts")).bearer_auth(token))
            .await
    }

    pub async fn import_patients(
        &self,
        token: &str,
        csv: String,
    ) -> Result<ImportReport, ServerError> {
        let request = self
            .http
            .post(self.url("/v1/patients/import"))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .body(csv);
        self.json(request).await
    }
}

/// The break-glass reason the user gave for this patient, on every request about them.
pub(super) fn with_reason(
    request: reqwest::RequestBuilder,
    reason: Option<&StatedReason>,
) -> reqwest::RequestBuilder {
    match reason {
        Some(r) => request
            .header(BREAK_GLASS_REASON_HEADER, r.reason.id())
            .header(
                BREAK_GLASS_DETAIL_HEADER,
                utf8_percent_encode(&r.detail, NON_ALPHANUMERIC).to_string(),
            ),
        None => request,
    }
}
