//! The steps of one pass over an original, in order. Each reads the downloaded file and adds to
//! the findings; a step may end the pass (a corrupted or infected file goes no further). A new
//! step (barcodes, wristbands) is one more entry in `pass()`.

use std::path::PathBuf;

use async_trait::async_trait;
use chartdesk_domain::{sniff, type_label, DocumentEntry, Manifest, Mrn, SNIFF_BYTES};
use tokio::io::AsyncReadExt;

use crate::process::Worker;
use crate::{ProcessError, Verdict};

/// One document being processed: its record entry and its bytes on local disk.
pub struct Job {
    pub mrn: Mrn,
    pub key: String,
    pub entry: DocumentEntry,
    /// The record as it stood when the pass began (for duplicates).
    pub manifest: Manifest,
    pub path: PathBuf,
    /// Hex SHA-256 of the downloaded bytes.
    pub sha256: String,
}

/// What the pass found, recorded at its end in one manifest change.
#[derive(Debug, Default)]
pub struct Findings {
    pub corrupted: bool,
    /// Why nothing more is made from a file that is neither corrupted nor infected (staff words,
    /// no names): it is recorded as failed, never served.
    pub refused: Option<String>,
    pub verdict: Option<Verdict>,
    /// Rendition keys written (page previews and thumbnails).
    pub variants: Vec<String>,
    pub pages: Option<u32>,
    pub preview_pages: u32,
    pub pdf_thumb: bool,
    pub has_text: bool,
    pub perceptual_hash: Option<String>,
    pub duplicate: Option<chartdesk_domain::Duplicate>,
}

pub enum Flow {
    Continue,
    /// Nothing further is made from this file.
    Stop,
}

#[async_trait]
pub trait Step: Send + Sync {
    async fn run(
        &self,
        worker: &Worker,
        job: &Job,
        found: &mut Findings,
    ) -> Result<Flow, ProcessError>;
}

/// The pass, in order.
pub fn pass() -> Vec<Box<dyn Step>> {
    vec![
        Box::new(CheckWhole),
        Box::new(ScanForViruses),
        Box::new(CheckType),
        Box::new(crate::renditions_step::MakePreviews),
        Box::new(crate::text_step::ReadText),
        Box::new(crate::duplicates::FindDuplicates),
    ]
}

/// The whole file's SHA-256 against the record (multipart originals included): a mismatch is
/// *corrupted*, never served.
struct CheckWhole;

#[async_trait]
impl Step for CheckWhole {
    async fn run(&self, _: &Worker, job: &Job, found: &mut Findings) -> Result<Flow, ProcessError> {
        if job.sha256.eq_ignore_ascii_case(&job.entry.sha256) {
            return Ok(Flow::Continue);
        }
        found.corrupted = true;
        Ok(Flow::Stop)
    }
}

struct ScanForViruses;

#[async_trait]
impl Step for ScanForViruses {
    async fn run(
        &self,
        worker: &Worker,
        job: &Job,
        found: &mut Findings,
    ) -> Result<Flow, ProcessError> {
        let verdict = worker
            .scanner()
            .verdict(worker.store(), &job.key, &job.path)
            .await?;
        found.verdict = Some(verdict);
        Ok(match verdict {
            // Nothing is made from an infected or unscannable file: it is never opened.
            Verdict::Infected | Verdict::Unscannable => Flow::Stop,
            Verdict::Clean | Verdict::NotYet => Flow::Continue,
        })
    }
}

/// The file's type by its first bytes against the type it was declared as (the only check of
/// the stored bytes' type: `complete` reads none of them back). After the scan, so malware
/// declared as a PDF is still reported as a virus; an honest client has refused such a file
/// before sending it (the same `sniff`), so only a client that declared it wrongly meets this.
struct CheckType;

#[async_trait]
impl Step for CheckType {
    async fn run(&self, _: &Worker, job: &Job, found: &mut Findings) -> Result<Flow, ProcessError> {
        let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
        let file = tokio::fs::File::open(&job.path).await?;
        file.take(SNIFF_BYTES).read_to_end(&mut head).await?;
        if sniff(&head) == Some(job.entry.content_type.as_str()) {
            return Ok(Flow::Continue);
        }
        found.refused = Some(format!(
            "its content is not the {} it was sent as",
            type_label(&job.entry.content_type)
        ));
        Ok(Flow::Stop)
    }
}
