//! Starts made at about the same time go as one request per patient (issue 25 item 1), as
//! completes do (`coalesce`): the server then visits each patient once for the whole batch
//! rather than once per file.

use chartdesk_api::{StartUpload, StartUploads, StartedUpload, MAX_UPLOADS_PER_COMPLETE};

use crate::cloud::ServerError;
use crate::services::{AppError, Services};

impl Services {
    /// Starts one upload, together with any other sender's waiting.
    pub(in crate::services) async fn start_coalesced(
        &self,
        start: StartUpload,
    ) -> Result<StartedUpload, AppError> {
        // An answer lost with a batch dropped midway: the upload is tried again later (a start
        // is idempotent by document id).
        let lost = || Err(AppError::Server(ServerError::Unreachable));
        self.starts
            .submit(vec![start], |batch| self.start_together(batch), lost)
            .await
            .pop()
            .unwrap_or(Err(AppError::Server(ServerError::Malformed)))
    }

    /// One batch start per patient (a restricted record's carries its reason); where a batch
    /// call fails as a whole (or the server has no batch route), each upload is started alone,
    /// so every one gets its own answer. One answer per upload, in order.
    async fn start_together(
        &self,
        starts: Vec<StartUpload>,
    ) -> Vec<Result<StartedUpload, AppError>> {
        let mut answers: Vec<Option<Result<StartedUpload, AppError>>> =
            starts.iter().map(|_| None).collect();
        let mut by_patient: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
        for (i, start) in starts.iter().enumerate() {
            by_patient.entry(start.mrn.as_str()).or_default().push(i);
        }
        for (mrn, indexes) in by_patient {
            let reason = self.records.reason_for(mrn);
            for chunk in indexes.chunks(MAX_UPLOADS_PER_COMPLETE) {
                let batch = StartUploads {
                    uploads: chunk.iter().map(|&i| starts[i].clone()).collect(),
                };
                let together = match (self.records.server_or_none(), self.access_token().await) {
                    (Ok(server), Ok(token)) => server
                        .start_uploads(&token, &batch, reason.as_ref())
                        .await
                        .ok(),
                    _ => None,
                };
                let Some(together) = together.filter(|a| a.results.len() == chunk.len()) else {
                    for &i in chunk {
                        answers[i] = Some(self.start_alone(&starts[i]).await);
                    }
                    continue;
                };
                for (&i, result) in chunk.iter().zip(together.results) {
                    answers[i] = Some(match (result.started, result.error) {
                        (Some(started), _) if started.doc_id == starts[i].doc_id => Ok(started),
                        (None, Some(refused)) => {
                            Err(AppError::Server(ServerError::Refused(refused)))
                        }
                        _ => Err(AppError::Server(ServerError::Malformed)),
                    });
                }
            }
        }
        answers
            .into_iter()
            .map(|a| a.unwrap_or(Err(AppError::Server(ServerError::Malformed))))
            .collect()
    }

    async fn start_alone(&self, start: &StartUpload) -> Result<StartedUpload, AppError> {
        let server = self.records.server_or_none()?;
        let token = self.access_token().await?;
        let reason = self.records.reason_for(&start.mrn);
        Ok(server.start_upload(&token, start, reason.as_ref()).await?)
    }
}
