//! One patient folder's manifest, for the one-off runs after an upgrade that visit every record
//! (`store.list_prefixes("patients/")`, then this for each folder, one at a time).

use chartdesk_domain::{Manifest, Mrn};

use crate::store::{RecordStore, StoreError};

/// What a patient folder holds for a run that visits every record.
pub enum Record {
    Read(Mrn, Manifest),
    /// A patient without documents yet.
    NoDocuments,
    /// A folder whose name is not an MRN, or whose manifest cannot be read: counted, left alone.
    Unreadable,
}

impl Record {
    /// The MRN and manifest to work on, if any; an unreadable record is counted in `unreadable`.
    pub fn or_count(self, unreadable: &mut usize) -> Option<(Mrn, Manifest)> {
        match self {
            Record::Read(mrn, manifest) => Some((mrn, manifest)),
            Record::NoDocuments => None,
            Record::Unreadable => {
                *unreadable += 1;
                None
            }
        }
    }
}

pub async fn read_record(store: &dyn RecordStore, folder: &str) -> Result<Record, StoreError> {
    let mrn = folder
        .strip_prefix("patients/")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|mrn| Mrn::from_stored(mrn).ok());
    let Some(mrn) = mrn else {
        return Ok(Record::Unreadable);
    };
    match crate::read_manifest(store, &mrn).await {
        Ok(Some(m)) => Ok(Record::Read(mrn, m.value)),
        Ok(None) => Ok(Record::NoDocuments),
        Err(StoreError::Corrupt) => Ok(Record::Unreadable),
        Err(e) => Err(e),
    }
}
