//! Previews made from the original, never taken from the uploader: a 1600 px JPEG and a 320 px
//! thumbnail of every image page (every page of a TIFF), a first-page thumbnail of a PDF.

use async_trait::async_trait;
use chartdesk_domain::keys;
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::StoreError;
use chartdesk_renditions::{render_each, Limits, PagePreview, RenditionError};

use crate::process::Worker;
use crate::steps::{Findings, Flow, Job, Step};
use crate::ProcessError;

pub struct MakePreviews;

#[async_trait]
impl Step for MakePreviews {
    async fn run(
        &self,
        worker: &Worker,
        job: &Job,
        found: &mut Findings,
    ) -> Result<Flow, ProcessError> {
        let path = job.path.clone();
        let content_type = job.entry.content_type.clone();
        // One page at a time: each page's previews are stored before the next is decoded, so a
        // long TIFF never holds more than two pages' previews (the channel's one slot + one).
        let (pages, mut stored) = tokio::sync::mpsc::channel::<PagePreview>(1);
        let making = tokio::task::spawn_blocking(move || {
            render_each(&path, &content_type, &Limits::default(), |page| {
                pages.blocking_send(page).map_err(|_| Stopped::Storing)
            })
        });
        let (mrn, category, id) = (&job.mrn, job.entry.category, job.entry.id);
        let mut n = 0u32;
        while let Some(page) = stored.recv().await {
            n += 1;
            let preview = keys::page_optimized(mrn, category, id, n);
            let thumb = keys::page_thumb(mrn, category, id, n);
            put_jpeg(worker, &preview, page.preview.bytes).await?;
            put_jpeg(worker, &thumb, page.thumb.bytes).await?;
            found.variants.extend([preview, thumb]);
            found.preview_pages = n;
        }
        let made = making
            .await
            .map_err(|_| ProcessError::Renditions("the preview task stopped".into()))?
            .map_err(|e| match e {
                Stopped::Rendition(e) => ProcessError::Renditions(e.to_string()),
                Stopped::Storing => ProcessError::Renditions("a page could not be stored".into()),
            })?;
        found.pages = Some(made.page_count);
        found.perceptual_hash = made.perceptual_hash;
        if let Some(thumb) = made.pdf_thumb {
            let key = keys::thumb(mrn, category, id);
            put_jpeg(worker, &key, thumb.bytes).await?;
            found.variants.push(key);
            found.pdf_thumb = true;
        }
        Ok(Flow::Continue)
    }
}

/// Why making previews stopped.
enum Stopped {
    Rendition(RenditionError),
    /// The storing side ended (a page failed to store): the error is the storing side's.
    Storing,
}

impl From<RenditionError> for Stopped {
    fn from(e: RenditionError) -> Self {
        Stopped::Rendition(e)
    }
}

/// Create-only, as the bucket's policy demands of every document object: a rendition already
/// there was made from the same original by an earlier delivery of this notice.
async fn put_jpeg(worker: &Worker, key: &str, bytes: Vec<u8>) -> Result<(), ProcessError> {
    put_once(worker, key, bytes, "image/jpeg").await
}

pub(crate) async fn put_once(
    worker: &Worker,
    key: &str,
    bytes: Vec<u8>,
    content_type: &str,
) -> Result<(), ProcessError> {
    match worker
        .store()
        .put(key, bytes, content_type, Write::Create)
        .await
    {
        Ok(_) | Err(StoreError::Conflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
