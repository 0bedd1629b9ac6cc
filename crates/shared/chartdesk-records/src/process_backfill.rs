//! Documents filed before the processing worker existed have no processing record and, with no
//! scanner ever run, a *pending* verdict: they are never handed out. Run once after upgrading
//! (`chartdesk-server --process-existing-documents`): each such entry is marked *queued* (one
//! compare-and-swap per record) and its original's key returned, for a notice to the worker's
//! queue. Entries still queued (a notice lost) are returned again; running it twice is harmless,
//! as the worker records an outcome only once.

use std::fmt;

use chartdesk_domain::{keys, DocumentEntry, DocumentStatus, Manifest, Processing};
use chartdesk_domain::{Mrn, ProcessingState};
use tracing::instrument;

use crate::every_record::read_record;
use crate::manifest_update::{update_manifest, UpdateError};
use crate::store::{RecordStore, StoreError};

/// What a run found, in counts only (never an MRN, a name or a document id).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProcessBackfill {
    pub records: usize,
    /// Attached documents in them.
    pub documents: usize,
    /// Marked queued by this run (filed before the worker).
    pub queued: usize,
    /// Already queued, waiting for the worker: sent again.
    pub waiting: usize,
    /// Patient folders whose MRN or manifest could not be read (left alone).
    pub unreadable: usize,
}

impl fmt::Display for ProcessBackfill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "document processing: {} queued for the first time, {} still waiting sent again, of {} documents in {} records; {} records unreadable",
            self.queued, self.waiting, self.documents, self.records, self.unreadable
        )
    }
}

/// Whether an entry needs the worker: attached, and never processed or still waiting.
fn needs_processing(entry: &DocumentEntry) -> Option<bool> {
    if entry.status != DocumentStatus::Attached {
        return None;
    }
    match &entry.processing {
        None => Some(true),
        Some(p) if p.state == ProcessingState::Queued => Some(false),
        Some(_) => None,
    }
}

/// Marks every unprocessed attached document queued, in every record or only in `only` (a
/// trial on a few records first); returns the counts and the originals' keys to send the
/// worker (each once).
#[instrument(skip_all)]
pub async fn queue_existing_documents(
    store: &dyn RecordStore,
    only: &[Mrn],
) -> Result<(ProcessBackfill, Vec<String>), UpdateError<StoreError>> {
    let mut report = ProcessBackfill::default();
    let mut originals = Vec::new();
    let folders = if only.is_empty() {
        store.list_prefixes("patients/").await?
    } else {
        only.iter().map(keys::patient_prefix).collect()
    };
    for folder in folders {
        let record = read_record(store, &folder).await?;
        let Some((mrn, manifest)) = record.or_count(&mut report.unreadable) else {
            continue;
        };
        report.records += 1;
        let attached = manifest
            .documents
            .iter()
            .filter(|d| d.status == DocumentStatus::Attached);
        report.documents += attached.count();
        if !manifest
            .documents
            .iter()
            .any(|d| needs_processing(d) == Some(true))
        {
            originals.extend(waiting(&mrn, &manifest));
            continue;
        }
        // Marked under compare-and-swap: an upload or the worker may change it meanwhile.
        let (marked, keys) = update_manifest(store, &mrn, |m: &mut Manifest| {
            let mut marked = 0;
            for entry in &mut m.documents {
                if needs_processing(entry) == Some(true) {
                    entry.processing = Some(Processing::queued());
                    marked += 1;
                }
            }
            Ok::<_, StoreError>((marked, waiting(&mrn, m)))
        })
        .await?;
        report.queued += marked;
        originals.extend(keys);
    }
    report.waiting = originals.len().saturating_sub(report.queued);
    Ok((report, originals))
}

/// The originals of a record's entries that wait for the worker.
fn waiting(mrn: &Mrn, manifest: &Manifest) -> Vec<String> {
    manifest
        .documents
        .iter()
        .filter(|d| needs_processing(d).is_some())
        .filter_map(|d| {
            let ext = keys::extension_for(&d.content_type)?;
            Some(keys::original(mrn, d.category, d.id, ext))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chartdesk_domain::{Category, Sent};
    use uuid::Uuid;

    fn entry() -> DocumentEntry {
        DocumentEntry::queued(
            Uuid::now_v7(),
            Sent {
                category: Category::Lab,
                file_name: "a.pdf",
                content_type: "application/pdf",
                bytes: b"%PDF-1.4",
                by: "nurse.hughes",
                at: time::OffsetDateTime::UNIX_EPOCH,
            },
        )
    }

    #[test]
    fn only_attached_documents_never_processed_or_still_waiting_are_sent() {
        let mut old = entry();
        old.processing = None;
        assert_eq!(
            needs_processing(&old),
            Some(true),
            "filed before the worker"
        );
        assert_eq!(needs_processing(&entry()), Some(false), "still waiting");
        let mut done = entry();
        done.processing = Some(Processing {
            state: ProcessingState::Done,
            ..Processing::queued()
        });
        assert_eq!(needs_processing(&done), None);
        let mut detached = old.clone();
        detached.status = DocumentStatus::Detached;
        assert_eq!(needs_processing(&detached), None);
    }
}
