//! Patients and their document manifests, read from the bucket.

pub mod audit;
mod documents;
mod lookup;
mod manifest_update;
mod view;

pub use documents::{find_entry, row_for, rows_for, rows_matching, DocumentRow, RowPermissions};
pub use lookup::{find_patient, LookupError, NhsLookup, PatientRecord};
pub use manifest_update::{update_manifest, UpdateError};
pub use view::{PatientBanner, PatientSummary, Tile};
