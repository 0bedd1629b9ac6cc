//! `lookup/doc/{doc_id}.json`: the one record a document id belongs to, and where its upload
//! stands. A complete claims the id before it checks or attaches anything; a cancel marks it
//! cancelled. Both are conditional writes of this one object, so a cancel and a complete of the
//! same upload cannot both go through: either the cancel sees the complete at work and leaves
//! the objects alone, or the complete sees the cancel and attaches nothing.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
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
    /// Which complete set `completing`, and when: only it clears the mark, and another complete
    /// of the same upload (a retry, the id twice in a batch) waits its turn rather than check,
    /// or free for a cancel, objects the first is attaching. Absent on marks set before it
    /// existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completing_by: Option<Attempt>,
    /// The user cancelled the upload: no complete may attach it afterwards (bytes a late PUT
    /// lands again would otherwise become a document nobody meant to add).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

/// One complete's hold on an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
}

/// A mark older than this was left by a complete that died (a Lambda stops at 29 s), and
/// another complete of the upload may take it over.
pub const ABANDONED_AFTER: time::Duration = time::Duration::minutes(2);

impl DocClaim {
    /// A claim for this record and category, in no particular state.
    pub fn new(mrn: &Mrn, category: Category) -> Self {
        Self {
            mrn: mrn.to_string(),
            category,
            completing: false,
            completing_by: None,
            cancelled: false,
        }
    }

    /// Whether the mark was set by a complete that has since died.
    fn abandoned_at(&self, now: OffsetDateTime) -> bool {
        self.completing_by
            .is_some_and(|by| now - by.since >= ABANDONED_AFTER)
    }

    /// Whether a complete holds the mark now (one that died, or one from before marks had an
    /// owner, does not).
    fn held_at(&self, now: OffsetDateTime) -> bool {
        self.completing && self.completing_by.is_some() && !self.abandoned_at(now)
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
    #[error("This file is being added to the record right now; it will be tried again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Clears the mark `attempt` set (its complete refused the upload, or did not attach it), so
/// the user may cancel it. A mark another complete has taken over is left alone; a claim that
/// is missing has nothing to clear.
#[instrument(skip_all)]
pub async fn release_completing(
    store: &dyn RecordStore,
    id: Uuid,
    attempt: Uuid,
) -> Result<(), StoreError> {
    change_claim(store, id, false, |found| {
        Ok(match found {
            Some(claim) if claim.completing_by.map(|by| by.id) == Some(attempt) => {
                let released = DocClaim {
                    completing: false,
                    completing_by: None,
                    ..claim.clone()
                };
                Step::Put(released, ())
            }
            // Missing, or another complete's now: nothing of ours to clear.
            _ => Step::Stop(()),
        })
    })
    .await
}

/// The claim of `id` for this patient and category, marked as being completed by one new
/// attempt, returned: what a complete does before it checks the objects. The first complete of
/// an id claims it with one create-only write (a start writes nothing: two of a file's three
/// claim requests went, issue 25); a retry finds the claim and marks it, in one read and one
/// conditional write. A claim naming any other record is refused, so an id is never filed to
/// two records; a cancelled one is refused, so a cancel stands; and one another complete holds
/// is refused as busy, for a later try, unless that complete was abandoned.
#[instrument(skip_all)]
pub async fn claim_completing(
    store: &dyn RecordStore,
    id: Uuid,
    mrn: &Mrn,
    category: Category,
    now: OffsetDateTime,
) -> Result<Uuid, ClaimError> {
    let attempt = Attempt {
        id: Uuid::now_v7(),
        since: now,
    };
    let mine = DocClaim {
        completing: true,
        completing_by: Some(attempt),
        ..DocClaim::new(mrn, category)
    };
    // Guessed absent: the first complete of an id claims it without reading it first.
    change_claim(store, id, true, |found| match found {
        Some(claim) if !claim.same_record(&mine) => Err(ClaimError::TakenElsewhere),
        Some(claim) if claim.cancelled => Err(ClaimError::Cancelled),
        Some(claim) if claim.held_at(now) => Err(ClaimError::Busy),
        _ => Ok(Step::Put(mine.clone(), attempt.id)),
    })
    .await
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

/// Marks this record's upload of `id` cancelled, unless a complete is at work on it (or may
/// be: a mark from before marks had an owner): one conditional write, so a complete that
/// starts afterwards is refused (`claim_completing`) and one already at work keeps its objects.
#[instrument(skip_all)]
pub async fn mark_cancelled(
    store: &dyn RecordStore,
    id: Uuid,
    mrn: &Mrn,
    category: Category,
    now: OffsetDateTime,
) -> Result<Cancelling, StoreError> {
    let mine = DocClaim {
        cancelled: true,
        ..DocClaim::new(mrn, category)
    };
    change_claim(store, id, false, |found| {
        Ok(match found {
            None => Step::Put(
                mine.clone(),
                Cancelling::Cancelled {
                    claimed_before: false,
                },
            ),
            Some(claim) if !claim.same_record(&mine) => Step::Stop(Cancelling::OtherRecord),
            Some(claim) if claim.completing && !claim.abandoned_at(now) => {
                Step::Stop(Cancelling::Completing)
            }
            Some(claim) if claim.cancelled => Step::Stop(Cancelling::Cancelled {
                claimed_before: true,
            }),
            Some(_) => Step::Put(
                mine.clone(),
                Cancelling::Cancelled {
                    claimed_before: true,
                },
            ),
        })
    })
    .await
}

/// What `change_claim`'s decision makes of the claim as found.
enum Step<T> {
    /// Write this claim (create-only where none was found, else only over the one read).
    Put(DocClaim, T),
    /// Leave it as it is.
    Stop(T),
}

/// Every change to a claim: read it, decide, write it conditionally; a write that lost a race
/// is decided again on a fresh read, after a wait. `guess_absent` skips the first read (the
/// write is create-only, and a claim already there is read and decided on next).
async fn change_claim<T, E: From<StoreError>>(
    store: &dyn RecordStore,
    id: Uuid,
    guess_absent: bool,
    mut decide: impl FnMut(Option<&DocClaim>) -> Result<Step<T>, E>,
) -> Result<T, E> {
    let key = doc_claim_key(id);
    let mut guess = guess_absent;
    for try_no in 0..5 {
        let found = if std::mem::take(&mut guess) {
            None
        } else {
            store.get_json::<DocClaim>(&key).await?
        };
        let (claim, out) = match decide(found.as_ref().map(|f| &f.value))? {
            Step::Stop(out) => return Ok(out),
            Step::Put(claim, out) => (claim, out),
        };
        let write = match found {
            Some(found) => Write::IfMatch(found.etag),
            None => Write::Create,
        };
        match store.put_json(&key, &claim, write).await {
            Ok(_) => return Ok(out),
            // A guessed create that found a claim reads it at once; a lost race waits first.
            Err(StoreError::Conflict) if try_no == 0 && guess_absent => {}
            Err(StoreError::Conflict) => crate::backoff::after_conflict(try_no).await,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict.into())
}
