//! Patients and their document manifests, read from the bucket.

pub mod audit;
mod documents;
mod lookup;
mod view;

pub use documents::{find_entry, rows_for, DocumentRow};
pub use lookup::{find_patient, LookupError, NhsLookup, PatientRecord};
pub use view::{PatientBanner, PatientSummary, Tile};
