//! The records server's FHIR Bulk Data export (`$export`) as the desktop and the CLI reach it:
//! a Group when there is more than one patient, the kick-off, the status polls and the files'
//! presigned URLs. The server decides who may export; its refusals come back as FHIR
//! OperationOutcomes, read here into the same `ServerError` as `/v1`'s.

use std::time::Duration;

use chartdesk_api::{ApiErrorCode, ErrorBody};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::{json, Value};

use super::records_server::{RecordsServer, ServerError};

/// The Bulk Data manifest of a finished export (the fields used here).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkManifest {
    pub transaction_time: String,
    pub output: Vec<BulkFile>,
    #[serde(default)]
    pub error: Vec<BulkFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BulkFile {
    #[serde(rename = "type")]
    pub resource_type: String,
    /// A short-lived presigned GET (no token is sent with it).
    pub url: String,
    pub count: u32,
}

/// Where an export is.
#[derive(Debug, Clone)]
pub enum ExportState {
    Running {
        progress: Option<String>,
        retry_after: Duration,
    },
    Done(BulkManifest),
}

const PREFER_ASYNC: &str = "respond-async";

/// The export's requests, reached by `server.fhir_export()`.
#[derive(Clone, Copy)]
pub struct FhirExport<'a> {
    server: &'a RecordsServer,
}

impl RecordsServer {
    pub fn fhir_export(&self) -> FhirExport<'_> {
        FhirExport { server: self }
    }
}

impl FhirExport<'_> {
    /// Starts an export of these patients (by MRN): `Patient/{mrn}/$export` for one, a new
    /// Group's `$export` for more. Returns the status URL to poll.
    pub async fn start(&self, token: &str, mrns: &[String]) -> Result<String, ServerError> {
        let path = match mrns {
            [one] => format!("/fhir/R4/Patient/{}/$export", segment(one)),
            many => format!("/fhir/R4/Group/{}/$export", self.group(token, many).await?),
        };
        let request = self
            .server
            .http
            .get(self.server.url(&path))
            .bearer_auth(token)
            .header("prefer", PREFER_ASYNC);
        let answer = fhir_send(request).await?;
        let status = answer
            .headers()
            .get(reqwest::header::CONTENT_LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ServerError::Malformed)?;
        // The token goes only to this server: a status URL elsewhere is not followed.
        if !status.starts_with(&self.server.url("/fhir/R4/")) {
            return Err(ServerError::Malformed);
        }
        Ok(status.to_string())
    }

    async fn group(&self, token: &str, mrns: &[String]) -> Result<String, ServerError> {
        let members: Vec<Value> = mrns
            .iter()
            .map(|mrn| json!({"entity": {"reference": format!("Patient/{mrn}")}}))
            .collect();
        let group =
            json!({"resourceType": "Group", "type": "person", "actual": true, "member": members});
        let request = self
            .server
            .http
            .post(self.server.url("/fhir/R4/Group"))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/fhir+json")
            .body(group.to_string());
        let created: Value = fhir_send(request)
            .await?
            .json()
            .await
            .map_err(|_| ServerError::Malformed)?;
        let id = created["id"].as_str().ok_or(ServerError::Malformed)?;
        Ok(segment(id))
    }

    /// One poll of the status URL `start` returned.
    pub async fn state(&self, token: &str, status_url: &str) -> Result<ExportState, ServerError> {
        let answer = fhir_send(self.server.http.get(status_url).bearer_auth(token)).await?;
        if answer.status() == reqwest::StatusCode::ACCEPTED {
            let header = |name: &str| {
                answer
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let seconds = header("retry-after")
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(2)
                .clamp(1, 60);
            return Ok(ExportState::Running {
                progress: header("x-progress"),
                retry_after: Duration::from_secs(seconds),
            });
        }
        answer
            .json()
            .await
            .map(ExportState::Done)
            .map_err(|_| ServerError::Malformed)
    }
}

fn segment(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// Sends a FHIR request; a refusal's OperationOutcome becomes the server's words.
async fn fhir_send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, ServerError> {
    let answer = request.send().await.map_err(|_| ServerError::Unreachable)?;
    let status = answer.status();
    if status.is_success() {
        return Ok(answer);
    }
    let outcome: Value = answer.json().await.map_err(|_| ServerError::Malformed)?;
    let message = outcome["issue"][0]["diagnostics"]
        .as_str()
        .ok_or(ServerError::Malformed)?
        .to_string();
    let code = match status.as_u16() {
        400 => ApiErrorCode::InvalidInput,
        401 => ApiErrorCode::Unauthenticated,
        403 => ApiErrorCode::Forbidden,
        404 => ApiErrorCode::NotFound,
        _ => ApiErrorCode::Unavailable,
    };
    Err(ServerError::Refused(ErrorBody {
        code,
        message,
        choices: None,
    }))
}
