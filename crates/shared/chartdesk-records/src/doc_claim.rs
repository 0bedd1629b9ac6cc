//! `lookup/doc/{doc_id}.json`: the one record a document id belongs to, and where its upload
//! stands. A complete claims the id before it checks or attaches anything; a cancel marks it
//! cancelled. Both are conditional writes of this one object, so a cancel and a complete of the
//! same upload cannot both go through: either the cancel sees the complete at work and leaves
//! the objects alone, or the complete sees the cancel and attaches nothing.

use serde::{Deserialize, Serialize};
use tracing::instrument;
use uuid::Uuid;

use crate::store::object_store::{StoreError, Write};
use crate::store::RecordStore;
use chartdesk_domain::{Category, Mrn};

/// Never removed, so an id used for one patient can never be filed to another (a desktop keys
/// its offline copies by document id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocClaim {
    pub mrn: String,
    pub category: Category,
    /// Set while a complete checks and attaches the upload's objects: a cancel then leaves
    /// them alone (it would otherwise delete verified bytes another start could replace).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub completing: bool,
    /// The user cancelled the upload: no complete may attach it afterwards (bytes a late PUT
    /// lands again would otherwise become a document nobody meant to add).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

impl DocClaim {
    /// A claim for this record and category, in no particular state.
    pub fn new(mrn: &Mrn, category: Category) -> Self {
        Self {
            mrn: mrn.to_string(),
            category,
            completing: false,
            cancelled: false,
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
    #[error("This upload was cancelled, so the file was not added. Add it again as a new upload")]
    Cancelled,
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
/// claim naming any other record is refused, so an id is never filed to two records, and a
/// cancelled one is refused, so a cancel stands.
#[instrument(skip_all)]
pub async fn claim_completing(
    store: &dyn RecordStore,
    id: Uuid,
    mrn: &Mrn,
    category: Category,
) -> Result<(), ClaimError> {
    let key = doc_claim_key(id);
    let mine = DocClaim {
        completing: true,
        ..DocClaim::new(mrn, category)
    };
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
            Some(found) if found.value.cancelled => return Err(ClaimError::Cancelled),
            Some(found) if found.value.completing => return Ok(()),
            Some(found) => Write::IfMatch(found.etag),
            None => Write::Create,
        };
    }
    Err(StoreError::Conflict.into())
}

/// What marking an upload cancelled found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelling {
    /// Marked (or already so): no complete will attach it. `claimed_before` says a complete
    /// had claimed the id, so it may have attached the document before the mark.
    Cancelled { claimed_before: bool },
    /// A complete is checking or attaching it now: its objects must stay.
    Completing,
    /// The id is another record's: this record's objects under it hold nothing of that one.
    OtherRecord,
}

/// Marks this record's upload of `id` cancelled, unless a complete is at work on it: one
/// conditional write, so a complete that starts afterwards is refused (`claim_completing`)
/// and one already at work keeps its objects.
#[instrument(skip_all)]
pub async fn mark_cancelled(
    store: &dyn RecordStore,
    id: Uuid,
    mrn: &Mrn,
    category: Category,
) -> Result<Cancelling, StoreError> {
    let key = doc_claim_key(id);
    let mine = DocClaim {
        cancelled: true,
        ..DocClaim::new(mrn, category)
    };
    for attempt in 0..5 {
        let (write, claimed_before) = match store.get_json::<DocClaim>(&key).await? {
            None => (Write::Create, false),
            Some(found) if !found.value.same_record(&mine) => return Ok(Cancelling::OtherRecord),
            Some(found) if found.value.completing => return Ok(Cancelling::Completing),
            Some(found) if found.value.cancelled => {
                return Ok(Cancelling::Cancelled {
                    claimed_before: true,
                })
            }
            Some(found) => (Write::IfMatch(found.etag), true),
        };
        match store.put_json(&key, &mine, write).await {
            Ok(_) => return Ok(Cancelling::Cancelled { claimed_before }),
            Err(StoreError::Conflict) => crate::backoff::after_conflict(attempt).await,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict)
}
