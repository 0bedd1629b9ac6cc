//! Starts made at about the same time sent as one (issue 25 item 1): each start used to reach
//! and read the patient's record again, and they were half the time of a 100-file upload. The
//! senders of a batch (`chartdesk upload --jobs 8`, a dozen files dropped on the window) each
//! ask for their own; whoever finds no batch in flight sends everything waiting.

use chartdesk_api::{StartResult, StartUpload, StartUploads, StartedUpload};

use super::sender::Sender;
use crate::cloud::ServerError;
use crate::services::AppError;

impl Sender<'_> {
    /// This upload's start, sent with any other sender's waiting.
    pub(in crate::services::upload) async fn start(
        self,
        upload: StartUpload,
    ) -> Result<StartedUpload, AppError> {
        // An answer lost with a batch dropped midway: tried again later (starts are
        // idempotent by document id).
        let lost = || Err(AppError::Server(ServerError::Unreachable));
        let mut answers = self
            .app
            .starts
            .submit(vec![upload], |batch| self.start_together(batch), lost)
            .await;
        answers.pop().unwrap_or_else(lost)
    }

    /// Starts a batch; if the batch call itself fails (a server without batch starts, a
    /// dropped connection), each is started alone so every upload gets its own answer.
    async fn start_together(
        self,
        uploads: Vec<StartUpload>,
    ) -> Vec<Result<StartedUpload, AppError>> {
        if let Ok(results) = self.start_uploads(&uploads).await {
            return results;
        }
        let mut results = Vec::with_capacity(uploads.len());
        for one in &uploads {
            results.push(self.start_alone(one).await);
        }
        results
    }

    async fn start_alone(self, upload: &StartUpload) -> Result<StartedUpload, AppError> {
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(&upload.mrn);
        server
            .start_upload(&token, upload, reason.as_ref())
            .await
            .map_err(super::send::attach_refusal)
    }

    /// One request per patient (each with that patient's break-glass reason) of at most
    /// `MAX_UPLOADS_PER_REQUEST`; one answer per upload, in the order given.
    async fn start_uploads(
        self,
        uploads: &[StartUpload],
    ) -> Result<Vec<Result<StartedUpload, AppError>>, AppError> {
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let mut by_patient: std::collections::BTreeMap<String, Vec<StartUpload>> =
            Default::default();
        for u in uploads {
            by_patient.entry(u.mrn.clone()).or_default().push(u.clone());
        }
        let mut answered: Vec<StartResult> = Vec::with_capacity(uploads.len());
        for (mrn, mine) in by_patient {
            let reason = self.app.records.reason_for(&mrn);
            for chunk in mine.chunks(chartdesk_api::MAX_UPLOADS_PER_REQUEST) {
                let batch = StartUploads {
                    uploads: chunk.to_vec(),
                };
                let answer = server
                    .start_uploads(&token, &batch, reason.as_ref())
                    .await?;
                if answer.results.len() != chunk.len() {
                    return Err(ServerError::Malformed.into());
                }
                answered.extend(answer.results);
            }
        }
        // Back in the order given: a document named twice takes the answers in turn.
        let mut answered: Vec<Option<StartResult>> = answered.into_iter().map(Some).collect();
        Ok(uploads
            .iter()
            .map(|u| {
                let result = answered
                    .iter_mut()
                    .find(|r| r.as_ref().is_some_and(|r| r.doc_id == u.doc_id))
                    .and_then(Option::take)
                    .ok_or(AppError::Server(ServerError::Malformed))?;
                match (result.started, result.error) {
                    (Some(started), _) if started.doc_id == u.doc_id => Ok(started),
                    (None, Some(body)) => {
                        Err(super::send::attach_refusal(ServerError::Refused(body)))
                    }
                    _ => Err(ServerError::Malformed.into()),
                }
            })
            .collect())
    }
}
