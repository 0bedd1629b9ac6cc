//! Duplicates within the patient's record: the same bytes (SHA-256), or a near-identical image
//! (perceptual hash). Flagged on the newer document, never deleted.

use async_trait::async_trait;
use chartdesk_domain::{DocumentEntry, DocumentStatus, Duplicate, DuplicateKind, SharedEntry};

use crate::process::Worker;
use crate::steps::{Findings, Flow, Job, Step};
use crate::ProcessError;

pub struct FindDuplicates;

#[async_trait]
impl Step for FindDuplicates {
    async fn run(&self, _: &Worker, job: &Job, found: &mut Findings) -> Result<Flow, ProcessError> {
        found.duplicate = duplicate_of(
            &job.entry,
            found.perceptual_hash.as_deref(),
            &job.manifest.documents,
        );
        Ok(Flow::Continue)
    }
}

/// The oldest other attached document this one duplicates, same file first.
pub fn duplicate_of(
    entry: &DocumentEntry,
    hash: Option<&str>,
    documents: &[SharedEntry],
) -> Option<Duplicate> {
    let mut others: Vec<&DocumentEntry> = documents
        .iter()
        .map(|d| &**d)
        .filter(|d| d.id != entry.id && d.status == DocumentStatus::Attached)
        .filter(|d| d.created <= entry.created)
        .collect();
    others.sort_by_key(|d| (d.created, d.id));
    let flag = |kind, d: &DocumentEntry| Duplicate {
        kind,
        of: d.id,
        file_name: d.file_name.clone(),
        added: d.created,
    };
    if let Some(same) = others
        .iter()
        .find(|d| !entry.sha256.is_empty() && d.sha256.eq_ignore_ascii_case(&entry.sha256))
    {
        return Some(flag(DuplicateKind::SameFile, same));
    }
    let hash = hash?;
    others
        .iter()
        .find(|d| {
            d.processing
                .as_ref()
                .and_then(|p| p.perceptual_hash.as_deref())
                .and_then(|theirs| chartdesk_renditions::hash_distance(hash, theirs))
                .is_some_and(|distance| distance < chartdesk_renditions::NEAR_DUPLICATE_DISTANCE)
        })
        .map(|d| flag(DuplicateKind::LooksLike, d))
}
