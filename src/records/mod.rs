//! Patients and their document manifests, read from the bucket.

mod lookup;
mod view;

pub use lookup::{find_patient, LookupError, NhsLookup, PatientRecord};
pub use view::{PatientBanner, PatientSummary, Tile};
