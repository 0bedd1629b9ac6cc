//! FHIR rest-hook subscriptions as stored (ARCHITECTURE.md §10): one JSON object per
//! subscription under `fhir/subscriptions/{id}.json` (no MRN or NHS number in the key; the
//! criteria inside may hold an NHS number), changed by compare-and-swap. The records server
//! registers them; the processing worker reads them to notify, and marks one `error`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::object_store::{StoreError, Versioned, Write};
use crate::store::RecordStore;
use chartdesk_domain::{Category, NhsNumber};

pub const SUBSCRIPTIONS_PREFIX: &str = "fhir/subscriptions/";
const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
/// Attempts before a status change gives up under contention.
const MAX_ATTEMPTS: usize = 8;

/// `fhir/subscriptions/{id}.json`.
pub fn subscription_key(id: Uuid) -> String {
    format!("{SUBSCRIPTIONS_PREFIX}{id}.json")
}

/// R4's `Subscription.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Requested,
    Active,
    Error,
    Off,
}

impl SubscriptionStatus {
    pub fn code(self) -> &'static str {
        match self {
            SubscriptionStatus::Requested => "requested",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Error => "error",
            SubscriptionStatus::Off => "off",
        }
    }
}

/// What a subscription is about: one patient's documents, or one category's.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Criteria {
    Patient { nhs_number: NhsNumber },
    Category { category: Category },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    #[error("Subscriptions support only DocumentReference?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|{{NHS number}} or DocumentReference?category={{category}} (preop, lab, radiology, intraop, ot_notes, postop, discharge)")]
    Unsupported,
    #[error("The NHS number in the criteria is not valid")]
    InvalidNhsNumber,
}

/// Never the NHS number: it is patient data.
impl std::fmt::Debug for Criteria {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Criteria::Patient { .. } => f.write_str("Criteria::Patient"),
            Criteria::Category { category } => write!(f, "Criteria::Category({})", category.id()),
        }
    }
}

impl Criteria {
    /// The criteria as R4 writes them: `DocumentReference?patient.identifier=…|{nhs}` or
    /// `DocumentReference?category={code}` (the `|` may come URL-encoded).
    pub fn parse(text: &str) -> Result<Self, CriteriaError> {
        let text = text.trim().replace("%7C", "|").replace("%7c", "|");
        let query = text
            .strip_prefix("DocumentReference?")
            .ok_or(CriteriaError::Unsupported)?;
        let (name, value) = query.split_once('=').ok_or(CriteriaError::Unsupported)?;
        if value.contains('&') {
            return Err(CriteriaError::Unsupported);
        }
        match name {
            "patient.identifier" => {
                let nhs = value
                    .strip_prefix(NHS_NUMBER_SYSTEM)
                    .and_then(|v| v.strip_prefix('|'))
                    .ok_or(CriteriaError::Unsupported)?;
                let nhs_number =
                    NhsNumber::parse(nhs).map_err(|_| CriteriaError::InvalidNhsNumber)?;
                Ok(Criteria::Patient { nhs_number })
            }
            "category" => Category::from_id(value)
                .map(|category| Criteria::Category { category })
                .ok_or(CriteriaError::Unsupported),
            _ => Err(CriteriaError::Unsupported),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Criteria::Patient { nhs_number } => format!(
                "DocumentReference?patient.identifier={NHS_NUMBER_SYSTEM}|{}",
                nhs_number.digits()
            ),
            Criteria::Category { category } => {
                format!("DocumentReference?category={}", category.id())
            }
        }
    }

    /// Whether a change to a document of this patient (`nhs`) in `category` is of interest.
    pub fn matches(&self, nhs: Option<&NhsNumber>, category: Option<Category>) -> bool {
        match self {
            Criteria::Patient { nhs_number } => nhs == Some(nhs_number),
            Criteria::Category { category: wanted } => category == Some(*wanted),
        }
    }
}

/// One subscription as stored. `secret` is the header value the caller gave: never shown
/// again, never logged (`Debug` leaves it and the criteria out).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSubscription {
    pub id: Uuid,
    pub status: SubscriptionStatus,
    pub criteria: Criteria,
    pub reason: String,
    pub endpoint: String,
    pub header_name: String,
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub created_by: String,
}

impl std::fmt::Debug for StoredSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSubscription")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Writes a new subscription, create-only.
pub async fn create_subscription(
    store: &dyn RecordStore,
    subscription: &StoredSubscription,
) -> Result<(), StoreError> {
    let key = subscription_key(subscription.id);
    store
        .put_json(&key, subscription, Write::Create)
        .await
        .map(|_| ())
}

pub async fn read_subscription(
    store: &dyn RecordStore,
    id: Uuid,
) -> Result<Option<Versioned<StoredSubscription>>, StoreError> {
    store.get_json(&subscription_key(id)).await
}

/// Every subscription, in key order; one unreadable object is skipped, not fatal.
pub async fn all_subscriptions(
    store: &dyn RecordStore,
) -> Result<Vec<StoredSubscription>, StoreError> {
    let mut found = Vec::new();
    for key in store.list_keys(SUBSCRIPTIONS_PREFIX).await? {
        match store.get_json::<StoredSubscription>(&key).await {
            Ok(Some(v)) => found.push(v.value),
            Ok(None) | Err(StoreError::Corrupt) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// A DELETE: the subscription is switched `off` (compare-and-swap), kept for the record and
/// never notified again; reads treat it as gone. The server may delete document objects only.
pub async fn switch_off_subscription(
    store: &dyn RecordStore,
    id: Uuid,
) -> Result<bool, StoreError> {
    change_status(store, id, |s| {
        (s.status != SubscriptionStatus::Off).then_some((SubscriptionStatus::Off, None))
    })
    .await
}

/// Marks an active subscription `error` with `text` (compare-and-swap). One already off,
/// in error or missing is left as it is: a later success never revives it either.
pub async fn mark_subscription_error(
    store: &dyn RecordStore,
    id: Uuid,
    text: &str,
) -> Result<(), StoreError> {
    change_status(store, id, |s| {
        (s.status == SubscriptionStatus::Active)
            .then(|| (SubscriptionStatus::Error, Some(text.to_string())))
    })
    .await
    .map(|_| ())
}

/// Applies `change` (the new status and error text, or `None`: nothing to do) under
/// compare-and-swap; whether it was written.
async fn change_status(
    store: &dyn RecordStore,
    id: Uuid,
    change: impl Fn(&StoredSubscription) -> Option<(SubscriptionStatus, Option<String>)>,
) -> Result<bool, StoreError> {
    let key = subscription_key(id);
    for _ in 0..MAX_ATTEMPTS {
        let Some(current) = store.get_json::<StoredSubscription>(&key).await? else {
            return Ok(false);
        };
        let Some((status, error)) = change(&current.value) else {
            return Ok(false);
        };
        let mut changed = current.value;
        changed.status = status;
        changed.error = error.or(changed.error);
        match store
            .put_json(&key, &changed, Write::IfMatch(current.etag))
            .await
        {
            Ok(_) => return Ok(true),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::InMemoryRecordStore;

    #[test]
    fn criteria_by_nhs_number_or_category_are_read_and_written_back() {
        let by_patient = Criteria::parse(
            "DocumentReference?patient.identifier=https://fhir.nhs.uk/Id/nhs-number%7C9434765919",
        )
        .unwrap();
        assert_eq!(
            by_patient.text(),
            "DocumentReference?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919"
        );
        let lab = Criteria::parse("DocumentReference?category=lab").unwrap();
        assert_eq!(lab.text(), "DocumentReference?category=lab");
        for other in [
            "Patient?identifier=x",
            "DocumentReference?status=current",
            "DocumentReference?category=lab&status=current",
            "DocumentReference?category=letters",
            "DocumentReference?patient.identifier=https://other|9434765919",
        ] {
            assert_eq!(
                Criteria::parse(other),
                Err(CriteriaError::Unsupported),
                "{other}"
            );
        }
        assert_eq!(
            Criteria::parse(
                "DocumentReference?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|6304695787"
            ),
            Err(CriteriaError::InvalidNhsNumber)
        );
    }

    #[test]
    fn criteria_match_their_patient_or_their_category_only() {
        let nhs = NhsNumber::parse("9434765919").unwrap();
        let other = NhsNumber::parse("4010232137").unwrap();
        let by_patient = Criteria::Patient {
            nhs_number: nhs.clone(),
        };
        assert!(by_patient.matches(Some(&nhs), Some(Category::Lab)));
        assert!(!by_patient.matches(Some(&other), Some(Category::Lab)));
        assert!(!by_patient.matches(None, Some(Category::Lab)));
        let lab = Criteria::Category {
            category: Category::Lab,
        };
        assert!(lab.matches(Some(&other), Some(Category::Lab)));
        assert!(!lab.matches(Some(&nhs), Some(Category::Radiology)));
        assert!(!lab.matches(Some(&nhs), None));
    }

    #[tokio::test]
    async fn an_error_is_recorded_once_and_never_overwrites_an_off_subscription() {
        let store = InMemoryRecordStore::new();
        let store: &dyn RecordStore = &store;
        let mut sub = StoredSubscription {
            id: Uuid::now_v7(),
            status: SubscriptionStatus::Active,
            criteria: Criteria::Category {
                category: Category::Lab,
            },
            reason: "test".into(),
            endpoint: "https://receiver.example".into(),
            header_name: "X-Chartdesk-Secret".into(),
            secret: "s3cret-s3cret-s3cret".into(),
            error: None,
            created_by: "admin".into(),
        };
        create_subscription(store, &sub).await.unwrap();
        mark_subscription_error(store, sub.id, "failed")
            .await
            .unwrap();
        let read = read_subscription(store, sub.id).await.unwrap().unwrap();
        assert_eq!(read.value.status, SubscriptionStatus::Error);
        assert_eq!(read.value.error.as_deref(), Some("failed"));
        sub.id = Uuid::now_v7();
        sub.status = SubscriptionStatus::Off;
        create_subscription(store, &sub).await.unwrap();
        mark_subscription_error(store, sub.id, "failed")
            .await
            .unwrap();
        let read = read_subscription(store, sub.id).await.unwrap().unwrap();
        assert_eq!(read.value.status, SubscriptionStatus::Off);
        assert_eq!(all_subscriptions(store).await.unwrap().len(), 2);
        let first = all_subscriptions(store).await.unwrap()[0].id;
        assert!(switch_off_subscription(store, first).await.unwrap());
        assert!(
            !switch_off_subscription(store, first).await.unwrap(),
            "once"
        );
    }
}
