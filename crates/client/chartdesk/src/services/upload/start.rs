//! Starts made at about the same time sent as one (issue 25 item 1): each start used to reach
//! and read the patient's record again, and they were half the time of a 100-file upload. The
//! senders of a batch (`chartdesk upload --jobs 8`, a dozen files dropped on the window) each
//! ask for their own; whoever finds no batch in flight sends everything waiting.

use chartdesk_api::{ApiErrorCode, StartResult, StartUpload, StartUploads, StartedUpload};

use super::send::attach_refusal;
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

    /// Starts a batch, one request per patient (each with that patient's break-glass reason)
    /// of at most `MAX_UPLOADS_PER_REQUEST`; one answer per upload, in the order given.
    pub(in crate::services::upload) async fn start_together(
        self,
        uploads: Vec<StartUpload>,
    ) -> Vec<Result<StartedUpload, AppError>> {
        let (server, token) = match self.app.records.server_or_none() {
            Ok(server) => match self.app.access_token().await {
                Ok(token) => (server, token),
                // Signed out or locked: each file says so on its own (nothing is sent).
                Err(_) => return self.each_alone(&uploads).await,
            },
            Err(_) => return self.each_alone(&uploads).await,
        };
        let mut by_patient: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (i, u) in uploads.iter().enumerate() {
            by_patient.entry(u.mrn.clone()).or_default().push(i);
        }
        let mut answers: Vec<Option<Result<StartedUpload, AppError>>> =
            uploads.iter().map(|_| None).collect();
        for (mrn, mine) in by_patient {
            let reason = self.app.records.reason_for(&mrn);
            for chunk in mine.chunks(chartdesk_api::MAX_UPLOADS_PER_REQUEST) {
                let batch = StartUploads {
                    uploads: chunk.iter().map(|&i| uploads[i].clone()).collect(),
                };
                match server
                    .uploads()
                    .start_many(&token, &batch, reason.as_ref())
                    .await
                {
                    Ok(answer) if answer.results.len() == chunk.len() => {
                        // By position: a document id named for two patients is still two.
                        for (&i, result) in chunk.iter().zip(answer.results) {
                            answers[i] = Some(own_answer(&uploads[i], result));
                        }
                    }
                    Ok(_) => {
                        for &i in chunk {
                            answers[i] = Some(Err(ServerError::Malformed.into()));
                        }
                    }
                    Err(e) if older_server(&e) => {
                        for &i in chunk {
                            answers[i] = Some(self.start_alone(&uploads[i]).await);
                        }
                    }
                    Err(e) => {
                        // The network gone, a refusal of the whole request: every file of it
                        // hears the same at once, not after one timeout each.
                        tracing::warn!(kind = e.kind(), "a batch of starts failed");
                        for &i in chunk {
                            answers[i] = Some(Err(attach_refusal(e.clone())));
                        }
                    }
                }
            }
        }
        answers
            .into_iter()
            .map(|a| a.unwrap_or(Err(ServerError::Malformed.into())))
            .collect()
    }

    async fn each_alone(self, uploads: &[StartUpload]) -> Vec<Result<StartedUpload, AppError>> {
        let mut answers = Vec::with_capacity(uploads.len());
        for one in uploads {
            answers.push(self.start_alone(one).await);
        }
        answers
    }

    async fn start_alone(self, upload: &StartUpload) -> Result<StartedUpload, AppError> {
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(&upload.mrn);
        server
            .uploads()
            .start_one(&token, upload, reason.as_ref())
            .await
            .map_err(attach_refusal)
    }
}

/// A records server from before batch starts: the route is not there (an error body saying
/// so, or a page that is not JSON).
fn older_server(e: &ServerError) -> bool {
    match e {
        ServerError::Malformed => true,
        ServerError::Refused(body) => body.code == ApiErrorCode::NotFound,
        _ => false,
    }
}

/// One upload's own answer: what to send, or the server's reason it may not go ahead.
fn own_answer(upload: &StartUpload, result: StartResult) -> Result<StartedUpload, AppError> {
    if result.doc_id != upload.doc_id {
        return Err(ServerError::Malformed.into());
    }
    match (result.started, result.error) {
        (Some(started), _) if started.doc_id == upload.doc_id => Ok(started),
        (None, Some(body)) => Err(attach_refusal(ServerError::Refused(body))),
        _ => Err(ServerError::Malformed.into()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chartdesk_api::ErrorBody;

    fn declared(id: u128) -> StartUpload {
        serde_json::from_value(serde_json::json!({
            "doc_id": uuid::Uuid::from_u128(id), "mrn": "10000001", "category": "lab",
            "file_name": "r.pdf", "content_type": "application/pdf", "size": 1,
            "sha256": "0".repeat(64),
        }))
        .unwrap()
    }

    fn refusal(code: ApiErrorCode) -> ErrorBody {
        ErrorBody {
            code,
            message: "words".into(),
            choices: None,
        }
    }

    #[test]
    fn an_answer_naming_another_upload_is_not_taken_as_this_ones() {
        let result = StartResult {
            doc_id: uuid::Uuid::from_u128(2),
            started: None,
            error: Some(refusal(ApiErrorCode::InvalidInput)),
        };
        assert!(matches!(
            own_answer(&declared(1), result),
            Err(AppError::Server(ServerError::Malformed))
        ));
    }

    #[test]
    fn preop_full_for_one_upload_is_the_choice_the_window_offers() {
        let result = StartResult {
            doc_id: uuid::Uuid::from_u128(1),
            started: None,
            error: Some(refusal(ApiErrorCode::PreopFull)),
        };
        assert!(matches!(
            own_answer(&declared(1), result),
            Err(AppError::Attach(chartdesk_domain::AttachError::PreopFull))
        ));
    }

    #[test]
    fn only_a_missing_route_sends_the_files_one_by_one() {
        assert!(older_server(&ServerError::Malformed));
        assert!(older_server(&ServerError::Refused(refusal(
            ApiErrorCode::NotFound
        ))));
        assert!(!older_server(&ServerError::Unreachable));
        assert!(!older_server(&ServerError::Refused(refusal(
            ApiErrorCode::Unauthenticated
        ))));
    }
}
