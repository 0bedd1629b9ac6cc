//! FHIR rest-hook notifications (ARCHITECTURE.md §10). The trigger is the audit event every
//! document change already writes, create-only, before the change commits: the creation of its
//! change copy (`audit/changes/`, written only for document changes) notifies this queue, so a
//! crash between a change and its notification loses nothing and reads never reach the queue.
//! The worker reads the event, finds the active subscriptions whose criteria match (patient
//! NHS number, category) and POSTs each endpoint an empty body (R4 rest-hook with no payload)
//! carrying the subscription's shared-secret header. Nothing about the patient is sent: the
//! receiver looks again through the read API. An audit event whose change then failed to
//! commit gives a needless "look again", which is harmless.

use std::time::Duration;

use futures_util::future::join_all;

use chartdesk_domain::{keys, AuditEvent, Category, Mrn, NhsNumber, Patient};
use chartdesk_records::subscriptions::{
    all_subscriptions, mark_subscription_error, StoredSubscription, SubscriptionStatus,
};
use uuid::Uuid;

use crate::{Handled, ProcessError, Worker};

/// How notifications are sent: the waits between attempts (first try, then one per wait)
/// and the time allowed for each attempt.
#[derive(Debug, Clone)]
pub struct Notifier {
    pub waits: Vec<Duration>,
    pub timeout: Duration,
}

impl Default for Notifier {
    fn default() -> Self {
        Self {
            waits: vec![
                Duration::from_secs(1),
                Duration::from_secs(2),
                Duration::from_secs(4),
            ],
            timeout: Duration::from_secs(10),
        }
    }
}

/// Notifies every active subscription the audit event at `key` matches.
pub(crate) async fn deliver(worker: &Worker, key: &str) -> Result<Handled, ProcessError> {
    let Some(event) = worker.audit().get_json::<AuditEvent>(key).await? else {
        return Ok(Handled::NotOurs);
    };
    let event = event.value;
    let docs = event.documents();
    if docs.is_empty() || !event.action.changes_a_document() {
        return Ok(Handled::NotOurs);
    }
    let active: Vec<StoredSubscription> = all_subscriptions(worker.store())
        .await?
        .into_iter()
        .filter(|s| s.status == SubscriptionStatus::Active)
        .collect();
    let Ok(mrn) = Mrn::from_stored(&event.mrn) else {
        return Ok(Handled::NotOurs);
    };
    if active.is_empty() {
        return Ok(Handled::Notified(0));
    }
    let (nhs, categories) = about(worker, &mrn, &docs).await?;
    // At once, so one slow or failing subscriber (about 47 s of attempts) never holds up the
    // others, and a notice's time stays that of the slowest one, within the worker's limit.
    let matching: Vec<&StoredSubscription> = active
        .iter()
        // Several files added at once are one event: one notice to each subscription any
        // of them matches.
        .filter(|s| {
            categories
                .iter()
                .any(|category| s.criteria.matches(nhs.as_ref(), *category))
        })
        .collect();
    let answers = join_all(matching.iter().map(|s| worker.notifier().send(s))).await;
    let mut sent = 0;
    for (subscription, answer) in matching.into_iter().zip(answers) {
        match answer {
            Ok(()) => sent += 1,
            Err(text) => {
                tracing::warn!(subscription = %subscription.id, "a subscriber refused every attempt; marked error");
                mark_subscription_error(worker.store(), subscription.id, &text).await?;
            }
        }
    }
    Ok(Handled::Notified(sent))
}

/// The record's NHS number and each document's category, as the criteria need them.
async fn about(
    worker: &Worker,
    mrn: &Mrn,
    docs: &[Uuid],
) -> Result<(Option<NhsNumber>, Vec<Option<Category>>), ProcessError> {
    let store = worker.store();
    let nhs = store
        .get_json::<Patient>(&keys::patient(mrn))
        .await?
        .map(|p| p.value.nhs_number);
    let manifest = chartdesk_records::read_manifest(store, mrn).await?;
    let categories = docs
        .iter()
        .map(|id| {
            manifest.as_ref().and_then(|m| {
                m.value
                    .documents
                    .iter()
                    .find(|d| d.id == *id)
                    .map(|d| d.category)
            })
        })
        .collect();
    Ok((nhs, categories))
}

impl Notifier {
    /// One notification, retried; the staff words for the subscription's `error` when every
    /// attempt failed. Redirects are not followed: an allow-listed host must not bounce the
    /// secret elsewhere (a 3xx is a failure).
    pub async fn send(&self, subscription: &StoredSubscription) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .build()
            .map_err(|_| "Notifications could not be sent from this server".to_string())?;
        let attempts = self.waits.len() + 1;
        let mut last = String::new();
        for attempt in 0..attempts {
            if let Some(wait) = attempt.checked_sub(1).and_then(|i| self.waits.get(i)) {
                tokio::time::sleep(*wait).await;
            }
            let sent = client
                .post(&subscription.endpoint)
                .header(
                    subscription.header_name.as_str(),
                    subscription.secret.as_str(),
                )
                .body(Vec::new())
                .send()
                .await;
            last = match sent {
                Ok(answer) if answer.status().is_success() => return Ok(()),
                Ok(answer) => format!("answered HTTP {}", answer.status().as_u16()),
                Err(e) if e.is_timeout() => "did not answer in time".into(),
                Err(_) => "could not be reached".into(),
            };
        }
        Err(format!(
            "The endpoint {last} on each of {attempts} attempts; no more notifications are sent until the subscription is registered again"
        ))
    }
}
