//! Finds a patient by NHS number or MRN and loads the record and its manifest.

use serde::{Deserialize, Serialize};
use tracing::instrument;

use crate::store::object_store::{StoreError, Write};
use crate::store::RecordStore;
use chartdesk_domain::{keys, Category, Manifest, Mrn, NhsNumber, Patient, PatientQuery};
use uuid::Uuid;

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

/// `lookup/doc/{doc_id}.json`: the one record a document id belongs to. Written create-only
/// when an upload is first completed (before anything is attached), then only its
/// `completing` mark changes; never removed, so an id used for one patient can never be filed
/// to another (a desktop keys its offline copies by document id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocClaim {
    pub mrn: String,
    pub category: Category,
    /// Set while a complete checks and attaches the upload's objects: a cancel then leaves
    /// them alone (it would otherwise delete verified bytes another start could replace).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub completing: bool,
}

impl DocClaim {
    fn new(mrn: &Mrn, category: Category, completing: bool) -> Self {
        Self {
            mrn: mrn.to_string(),
            category,
            completing,
        }
    }

    /// Whether this claim is for the same record and category as `other`.
    fn same_record(&self, other: &DocClaim) -> bool {
        self.mrn == other.mrn && self.category == other.category
    }
}

pub fn doc_claim_key(id: Uuid) -> String {
    format!("lookup/doc/{id}.json")
}

#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error("This document id is already used in another record, so the file was not added. Add it again as a new upload")]
    TakenElsewhere,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Marks the document's upload as being completed (or no longer). A claim that is missing
/// (a document filed before claims existed) has nothing to mark.
#[instrument(skip_all)]
pub async fn mark_completing(
    store: &dyn RecordStore,
    id: Uuid,
    on: bool,
) -> Result<(), StoreError> {
    let key = doc_claim_key(id);
    // A few tries: only the same upload's own calls write this claim after its first complete.
    for attempt in 0..3 {
        let Some(found) = store.get_json::<DocClaim>(&key).await? else {
            return Ok(());
        };
        if found.value.completing == on {
            return Ok(());
        }
        let mut claim = found.value;
        claim.completing = on;
        match store
            .put_json(&key, &claim, Write::IfMatch(found.etag))
            .await
        {
            Err(StoreError::Conflict) => crate::backoff::after_conflict(attempt).await,
            other => return other.map(|_| ()),
        }
    }
    Err(StoreError::Conflict)
}

/// The claim of `id` for this patient and category, marked as being completed: what a
/// complete does before it checks the objects. The first complete of an id claims it with one
/// create-only write (a start writes nothing: two of a file's three claim requests went, issue
/// 25); a retry finds its own claim and marks it, in one read and one conditional write. A
/// claim naming any other record is refused, so an id is never filed to two records.
#[instrument(skip_all)]
pub async fn claim_completing(
    store: &dyn RecordStore,
    id: Uuid,
    mrn: &Mrn,
    category: Category,
) -> Result<(), ClaimError> {
    let key = doc_claim_key(id);
    let mine = DocClaim::new(mrn, category, true);
    let mut write = Write::Create;
    for attempt in 0..3 {
        let was_create = matches!(write, Write::Create);
        match store.put_json(&key, &mine, write).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
        // A create that lost found a claim; a conditional write that lost raced another write.
        if !was_create {
            crate::backoff::after_conflict(attempt).await;
        }
        write = match store.get_json::<DocClaim>(&key).await? {
            Some(found) if !found.value.same_record(&mine) => {
                return Err(ClaimError::TakenElsewhere)
            }
            Some(found) if found.value.completing => return Ok(()),
            Some(found) => Write::IfMatch(found.etag),
            None => Write::Create,
        };
    }
    Err(StoreError::Conflict.into())
}

/// Whether a complete is checking or attaching this record's upload of document `id` now. A
/// claim naming another record says nothing of this one's objects: an upload refused for
/// reusing that id may then be cancelled and its objects removed.
pub async fn is_completing(
    store: &dyn RecordStore,
    id: Uuid,
    mrn: &Mrn,
    category: Category,
) -> Result<bool, StoreError> {
    let mine = DocClaim::new(mrn, category, true);
    Ok(store
        .get_json::<DocClaim>(&doc_claim_key(id))
        .await?
        .is_some_and(|c| c.value.completing && c.value.same_record(&mine)))
}
