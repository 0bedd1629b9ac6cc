//! The records server as the desktop and the CLI reach it: HTTPS `/v1` with the user's Cognito
//! access token. The server decides; this only carries requests and maps its `{code, message}`.

use std::time::Duration;

use chartdesk_api::{
    ApiErrorCode, AuditHistory, ErrorBody, ImportReport, BREAK_GLASS_DETAIL_HEADER,
    BREAK_GLASS_REASON_HEADER,
};
use chartdesk_domain::StatedReason;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;

use crate::records::{DocumentRow, PatientSummary};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("The records server could not be reached. Check the network connection and try again")]
    Unreachable,
    /// The server refused, with its reason.
    #[error("{}", .0.message)]
    Refused(ErrorBody),
    #[error("The records server gave an answer this app cannot read")]
    Malformed,
}

impl ServerError {
    pub fn code(&self) -> Option<ApiErrorCode> {
        match self {
            ServerError::Refused(body) => Some(body.code),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RecordsServer {
    http: reqwest::Client,
    base: String,
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
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ServerError> {
        let answer = request.send().await.map_err(|_| ServerError::Unreachable)?;
        if answer.status().is_success() {
            return Ok(answer);
        }
        let body = answer
            .json::<ErrorBody>()
            .await
            .map_err(|_| ServerError::Malformed)?;
        Err(ServerError::Refused(body))
    }

    async fn json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ServerError> {
        self.send(request)
            .await?
            .json::<T>()
            .await
            .map_err(|_| ServerError::Malformed)
    }

    /// A patient's banner and tiles; a restricted record needs `reason`.
    pub async fn find(
        &self,
        token: &str,
        query: &str,
        reason: Option<&StatedReason>,
    ) -> Result<PatientSummary, ServerError> {
        let url = self.url(&format!(
            "/v1/patients?q={}",
            utf8_percent_encode(query, NON_ALPHANUMERIC)
        ));
        let mut request = self.http.get(url).bearer_auth(token);
        if let Some(r) = reason {
            request = request
                .header(BREAK_GLASS_REASON_HEADER, r.reason.id())
                .header(
                    BREAK_GLASS_DETAIL_HEADER,
                    utf8_percent_encode(&r.detail, NON_ALPHANUMERIC).to_string(),
                );
        }
        self.json(request).await
    }

    fn document(&self, mrn: &str, doc_id: &str, tail: &str) -> String {
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
    ) -> Result<DocumentRow, ServerError> {
        let url = self.document(mrn, doc_id, "/stamp");
        self.json(self.http.post(url).bearer_auth(token)).await
    }

    pub async fn detach(&self, token: &str, mrn: &str, doc_id: &str) -> Result<(), ServerError> {
        let url = self.document(mrn, doc_id, "/detach");
        self.send(self.http.post(url).bearer_auth(token))
            .await
            .map(|_| ())
    }

    pub async fn delete(&self, token: &str, mrn: &str, doc_id: &str) -> Result<(), ServerError> {
        let url = self.document(mrn, doc_id, "");
        self.send(self.http.delete(url).bearer_auth(token))
            .await
            .map(|_| ())
    }

    pub async fn access_history(
        &self,
        token: &str,
        mrn: &str,
    ) -> Result<AuditHistory, ServerError> {
        let url = self.url(&format!(
            "/v1/patients/{}/audit",
            utf8_percent_encode(mrn, NON_ALPHANUMERIC)
        ));
        self.json(self.http.get(url).bearer_auth(token)).await
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
