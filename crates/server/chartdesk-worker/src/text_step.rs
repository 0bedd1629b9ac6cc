//! The document's text (a PDF's text layer; OCR for images and image-only pages), stored as one
//! JSON object for search. A file whose text cannot be read is still served: search just does
//! not find it, and the log says why by kind.

use async_trait::async_trait;
use chartdesk_domain::keys;
use chartdesk_text::{extract, Limits};

use crate::process::Worker;
use crate::steps::{Findings, Flow, Job, Step};
use crate::ProcessError;

pub struct ReadText;

#[async_trait]
impl Step for ReadText {
    async fn run(
        &self,
        worker: &Worker,
        job: &Job,
        found: &mut Findings,
    ) -> Result<Flow, ProcessError> {
        let path = job.path.clone();
        let content_type = job.entry.content_type.clone();
        let read =
            tokio::task::spawn_blocking(move || extract(&path, &content_type, &Limits::default()))
                .await
                .map_err(|_| ProcessError::Text("the text task stopped".into()))?;
        let text = match read {
            Ok(text) => text,
            Err(e) => {
                tracing::warn!(doc_id = %job.entry.id, kind = "text_unreadable", "no text read");
                drop(e);
                return Ok(Flow::Continue);
            }
        };
        let key = keys::text(&job.mrn, job.entry.category, job.entry.id);
        let body = serde_json::to_vec(&text).map_err(|e| ProcessError::Text(e.to_string()))?;
        crate::renditions_step::put_once(worker, &key, body, "application/json").await?;
        found.has_text = true;
        found.pages = found.pages.or(Some(text.page_count));
        Ok(Flow::Continue)
    }
}
