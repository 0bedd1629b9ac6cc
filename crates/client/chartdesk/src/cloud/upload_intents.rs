//! The upload intents' requests (start → the bytes straight to S3 → complete, or abort),
//! reached by `server.uploads()`: the records server's one place for them.

use chartdesk_api::{
    AbortUpload, CompleteUploads, CompletedUploads, StartUpload, StartUploads, StartedUpload,
    StartedUploads,
};
use chartdesk_domain::StatedReason;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::records_server::{with_reason, RecordsServer, ServerError};

#[derive(Clone, Copy)]
pub struct UploadIntents<'a> {
    server: &'a RecordsServer,
}

impl RecordsServer {
    pub fn uploads(&self) -> UploadIntents<'_> {
        UploadIntents { server: self }
    }
}

impl UploadIntents<'_> {
    /// `reason`: the break-glass reason given for this patient (a restricted record needs it).
    pub async fn start_one(
        &self,
        token: &str,
        upload: &StartUpload,
        reason: Option<&StatedReason>,
    ) -> Result<StartedUpload, ServerError> {
        self.post("/v1/uploads", token, upload, reason).await
    }

    /// Starts a batch (one patient's, with that patient's break-glass `reason`): the record is
    /// reached and read once for all of them; one result per upload, in order.
    pub async fn start_many(
        &self,
        token: &str,
        batch: &StartUploads,
        reason: Option<&StatedReason>,
    ) -> Result<StartedUploads, ServerError> {
        self.post("/v1/uploads/start", token, batch, reason).await
    }

    /// Completes a batch (one patient's, with that patient's break-glass `reason`): the server
    /// verifies each and attaches them with one compare-and-swap.
    pub async fn complete(
        &self,
        token: &str,
        batch: &CompleteUploads,
        reason: Option<&StatedReason>,
    ) -> Result<CompletedUploads, ServerError> {
        self.post("/v1/uploads/complete", token, batch, reason)
            .await
    }

    /// Nothing of a cancelled, unattached upload is left (its multipart upload aborted).
    pub async fn abort(&self, token: &str, upload: &AbortUpload) -> Result<(), ServerError> {
        let request = self.request("/v1/uploads/abort", token).json(upload);
        self.server.send(request).await.map(|_| ())
    }

    fn request(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.server
            .http
            .post(self.server.url(path))
            .bearer_auth(token)
    }

    /// A JSON POST about one patient, with their break-glass `reason`, and its JSON answer.
    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &impl Serialize,
        reason: Option<&StatedReason>,
    ) -> Result<T, ServerError> {
        let request = self.request(path, token).json(body);
        self.server.json(with_reason(request, reason)).await
    }
}
