//! The steps of one pass over an original, in order. Each reads the downloaded file and adds to
//! the findings; a step may end the pass (a corrupted or infected file goes no further). A new
//! step (barcodes, wristbands) is one more entry in `pass()`.

use std::path::PathBuf;

use async_trait::async_trait;
use chartdesk_domain::{DocumentEntry, Manifest, Mrn};

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
