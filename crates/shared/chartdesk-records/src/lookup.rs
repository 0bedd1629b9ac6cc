//! Finds a patient by NHS number or MRN and loads the record and its manifest.

use serde::{Deserialize, Serialize};
use tracing::instrument;

use crate::store::object_store::StoreError;
use crate::store::RecordStore;
use chartdesk_domain::{keys, Manifest, Mrn, NhsNumber, Patient, PatientQuery};

/// `lookup/nhs/{nhs}.json`: maps an NHS number to the hospital MRN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NhsLookup {
    pub mrn: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("No patient found with NHS number {0}")]
    NoSuchNhsNumber(String),
    #[error("No patient found with MRN {0}")]
    NoSuchMrn(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct PatientRecord {
    pub patient: Patient,
    pub manifest: Manifest,
    /// `None` when the patient has no manifest yet (no documents ever).
    pub manifest_etag: Option<String>,
}

#[instrument(skip_all)]
pub async fn find_patient(
    store: &dyn RecordStore,
    query: &PatientQuery,
) -> Result<PatientRecord, LookupError> {
    let mrn = match query {
        PatientQuery::Mrn(mrn) => mrn.clone(),
        PatientQuery::Nhs(nhs) => mrn_for(store, nhs).await?,
    };
    let not_found = || match query {
        PatientQuery::Nhs(n) => LookupError::NoSuchNhsNumber(n.display_form()),
        PatientQuery::Mrn(m) => LookupError::NoSuchMrn(m.to_string()),
    };
    // Both at once: one round trip to the store, not two.
    let patient_key = keys::patient(&mrn);
    let (patient, manifest) = tokio::join!(
        store.get_json::<Patient>(&patient_key),
        crate::read_manifest(store, &mrn)
    );
    let patient = patient?.ok_or_else(not_found)?.value;
    let (manifest, manifest_etag) = match manifest? {
        Some(v) => (v.value, Some(v.etag)),
        None => (Manifest::new(), None),
    };
    Ok(PatientRecord {
        patient,
        manifest,
        manifest_etag,
    })
}

async fn mrn_for(store: &dyn RecordStore, nhs: &NhsNumber) -> Result<Mrn, LookupError> {
    let lookup = store
        .get_json::<NhsLookup>(&keys::nhs_lookup(nhs))
        .await?
        .ok_or_else(|| LookupError::NoSuchNhsNumber(nhs.display_form()))?;
    Mrn::from_stored(&lookup.value.mrn).map_err(|_| StoreError::Corrupt.into())
}
