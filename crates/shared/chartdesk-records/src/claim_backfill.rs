//! The document-id claims (`lookup/doc/{id}.json`) for documents filed before claims existed:
//! without one, an upload could reuse an old document's id for another patient. Run once after
//! upgrading (`chartdesk-server --claim-existing-documents`); running it again changes nothing.

use std::fmt;

use crate::every_record::read_record;
use tracing::instrument;

use crate::doc_claim::{doc_claim_key, DocClaim};
use crate::store::object_store::Write;
use crate::store::{RecordStore, StoreError};

/// What a backfill did, in counts only (never an MRN, a name or a document id).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClaimBackfill {
    /// Manifests read.
    pub records: usize,
    /// Entries in them, whatever their status (a deleted document's id stays taken too).
    pub documents: usize,
    /// Claims written by this run.
    pub claimed: usize,
    /// Claims already there for the same record.
    pub already: usize,
    /// Ids whose claim names another record: left as they are, for the records team to check.
    pub elsewhere: usize,
    /// Patient folders whose MRN or manifest could not be read (left alone).
    pub unreadable: usize,
}

impl fmt::Display for ClaimBackfill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "document claims: {} written, {} already in place, {} naming another record (left as they are), for {} documents in {} records; {} records unreadable",
            self.claimed, self.already, self.elsewhere, self.documents, self.records, self.unreadable
        )
    }
}

/// Writes a create-only claim for every document in every patient's manifest. An existing
/// claim is never overwritten: one naming another record is only counted.
#[instrument(skip_all)]
pub async fn claim_existing_documents(
    store: &dyn RecordStore,
) -> Result<ClaimBackfill, StoreError> {
    let mut report = ClaimBackfill::default();
    for folder in store.list_prefixes("patients/").await? {
        let record = read_record(store, &folder).await?;
        let Some((mrn, manifest)) = record.or_count(&mut report.unreadable) else {
            continue;
        };
        report.records += 1;
        for entry in &manifest.documents {
            report.documents += 1;
            let claim = DocClaim::new(&mrn, entry.category);
            let key = doc_claim_key(entry.id);
            match store.put_json(&key, &claim, Write::Create).await {
                Ok(_) => report.claimed += 1,
                Err(StoreError::Conflict) => match store.get_json::<DocClaim>(&key).await? {
                    Some(found) if found.value.mrn == claim.mrn => report.already += 1,
                    Some(_) => report.elsewhere += 1,
                    // Claims are never removed: a 412 then a 404 is a store that cannot be trusted.
                    None => return Err(StoreError::Conflict),
                },
                Err(e) => return Err(e),
            }
        }
    }
    Ok(report)
}
