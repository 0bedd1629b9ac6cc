//! Every manifest change is a compare-and-swap: read → change → PutObject If-Match the head's
//! ETag (If-None-Match:* when creating; `manifest_store` writes the changed parts first) → on 412
//! wait a random moment (`backoff`), read again and retry. Two writers never lose an entry.

use tracing::instrument;

use crate::manifest_store::{read_stored, write_manifest, StoredManifest};
use crate::store::object_store::{StoreError, Write};
use crate::store::RecordStore;
use chartdesk_domain::{Manifest, Mrn};

/// Attempts before giving up under heavy contention.
const MAX_ATTEMPTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum UpdateError<E> {
    /// The change itself was refused (a rule), on the manifest as it stood.
    #[error(transparent)]
    Rule(E),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("The record is being changed by many people at once; please try again")]
    Contended,
}

/// Applies `change` to the patient's current manifest and writes it back atomically.
pub async fn update_manifest<T, E: std::fmt::Display>(
    store: &dyn RecordStore,
    mrn: &Mrn,
    change: impl FnMut(&mut Manifest) -> Result<T, E>,
) -> Result<T, UpdateError<E>> {
    update_manifest_from(store, mrn, None, change).await
}

/// As `update_manifest`, the first try on `read`, the manifest the caller read already (to
/// check its request), rather than reading it again: one request fewer on the path, and no
/// second copy of a long record's entries. A change made meanwhile fails the swap, and the
/// next try reads afresh; so does a refusal on `read`, which is judged again on a fresh read.
#[instrument(skip_all)]
pub async fn update_manifest_from<T, E: std::fmt::Display>(
    store: &dyn RecordStore,
    mrn: &Mrn,
    mut read: Option<StoredManifest>,
    mut change: impl FnMut(&mut Manifest) -> Result<T, E>,
) -> Result<T, UpdateError<E>> {
    for attempt in 0..MAX_ATTEMPTS {
        let (stored, handed) = match read.take() {
            Some(stored) => (Some(stored), true),
            None => (read_stored(store, mrn).await?, false),
        };
        let (mut manifest, write, known) = match stored {
            Some(s) => (s.manifest, Write::IfMatch(s.etag), s.parts),
            None => (Manifest::new(), Write::Create, Vec::new()),
        };
        let out = match change(&mut manifest) {
            Ok(out) => out,
            // Refused on the caller's read, which may be stale: judged again on a fresh one.
            Err(_) if handed => continue,
            Err(e) => return Err(UpdateError::Rule(e)),
        };
        match write_manifest(store, mrn, &manifest, write, &known).await {
            Ok(_) => return Ok(out),
            Err(StoreError::Conflict) => crate::backoff::after_conflict(attempt).await,
            Err(e) => return Err(e.into()),
        }
    }
    Err(UpdateError::Contended)
}

/// Writes the digest of the demographics as registered into the manifest: the manifest's ETag
/// is the whole record's version (an open record polls it), so a patient change must change
/// it too. Called after `patient.json` was written.
pub async fn note_demographics(
    store: &dyn RecordStore,
    patient: &chartdesk_domain::Patient,
) -> Result<(), UpdateError<std::convert::Infallible>> {
    let json = serde_json::to_vec(patient).unwrap_or_default();
    let digest = chartdesk_domain::sha256_hex(&json);
    update_manifest(store, &patient.mrn, |m: &mut Manifest| {
        m.demographics = Some(digest.clone());
        Ok(())
    })
    .await
}
