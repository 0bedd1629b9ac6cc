//! Rules that touch the bucket and the user pool's keys, shared by the records server and the
//! desktop client: the object store (compare-and-swap writes, checksummed transfers), patient
//! lookup, the manifest compare-and-swap, the audit trail, and the Cognito token verifier.
//! No desktop dependency (keychain, SQLCipher, image codecs, Tauri): the server links this.

pub mod audit;
pub mod backoff;
mod claim_backfill;
mod doc_claim;
mod every_record;
pub mod export_manifest;
mod export_names;
mod lookup;
mod manifest_amendments;
pub mod manifest_store;
mod manifest_update;
mod process_backfill;
pub mod store;
pub mod subscriptions;
pub mod token;

pub use claim_backfill::{claim_existing_documents, ClaimBackfill};
pub use doc_claim::{
    claim_completing, doc_claim_key, mark_cancelled, release_completing, Attempt, Cancelling,
    ClaimError, DocClaim, ABANDONED_AFTER,
};
pub use lookup::{find_patient, LookupError, NhsLookup, PatientRecord};
pub use manifest_store::{create_manifest, read_manifest, read_stored, StoredManifest, PART_ROWS};
pub use manifest_update::{note_demographics, update_manifest, update_manifest_from, UpdateError};
pub use process_backfill::{queue_existing_documents, ProcessBackfill};
