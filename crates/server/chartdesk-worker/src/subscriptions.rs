//! FHIR rest-hook notifications (ARCHITECTURE.md §10). The trigger is the audit event every
//! document change already writes, create-only, before the change commits: its creation
//! notifies this queue, so a crash between a change and its notification loses nothing.
//! The worker reads the event, finds the active subscriptions whose criteria match (patient
//! NHS number, category) and POSTs each endpoint an empty body (R4 rest-hook with no payload)
//! carrying the subscription's shared-secret header. Nothing about the patient is sent: the
//! receiver looks again through the read API. An audit event whose change then failed to
//! commit gives a needless "look again", which is harmless.

use std::time::Duration;

use chartdesk_domain::{
    keys, AuditAction, AuditEvent, Category, Manifest, Mrn, NhsNumber, Patient,
};
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

/// Whether `key` is an audit event's day copy (`audit/{yyyy}/{mm}/{dd}/{uuid}.json`): the
/// one copy that notifies (the per-patient and alert copies are the same event).
pub fn audit_day_key(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("audit/") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y, m, d, file] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && file
                    .strip_suffix(".json")
                    .is_some_and(|id| Uuid::parse_str(id).is_ok())
        }
        _ => false,
    }
}

/// The actions that change a document: attached, replaced, stamped, detached, deleted, and
/// the worker's own outcomes.
pub fn notifies(action: AuditAction) -> bool {
    matches!(
        action,
        AuditAction::Upload
            | AuditAction::Replace
            | AuditAction::Stamp
            | AuditAction::Detach
            | AuditAction::Delete
            | AuditAction::Processed
            | AuditAction::VirusFound
            | AuditAction::ProcessingFailed
    )
}

/// Notifies every active subscription the audit event at `key` matches.
pub(crate) async fn deliver(worker: &Worker, key: &str) -> Result<Handled, ProcessError> {
    let Some(event) = worker.audit().get_json::<AuditEvent>(key).await? else {
        return Ok(Handled::NotOurs);
    };
    let event = event.value;
    let (Some(doc_id), true) = (event.doc_id, notifies(event.action)) else {
        return Ok(Handled::NotOurs);
    };
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
    let (nhs, category) = about(worker, &mrn, doc_id).await?;
    let mut sent = 0;
    for subscription in active
        .iter()
        .filter(|s| s.criteria.matches(nhs.as_ref(), category))
    {
        match worker.notifier().send(subscription).await {
            Ok(()) => sent += 1,
            Err(text) => {
                tracing::warn!(subscription = %subscription.id, "a subscriber refused every attempt; marked error");
                mark_subscription_error(worker.store(), subscription.id, &text).await?;
            }
        }
    }
    Ok(Handled::Notified(sent))
}

/// The record's NHS number and the document's category, as the criteria need them.
async fn about(
    worker: &Worker,
    mrn: &Mrn,
    doc_id: Uuid,
) -> Result<(Option<NhsNumber>, Option<Category>), ProcessError> {
    let store = worker.store();
    let nhs = store
        .get_json::<Patient>(&keys::patient(mrn))
        .await?
        .map(|p| p.value.nhs_number);
    let category = store
        .get_json::<Manifest>(&keys::manifest(mrn))
        .await?
        .and_then(|m| {
            m.value
                .documents
                .iter()
                .find(|d| d.id == doc_id)
                .map(|d| d.category)
        });
    Ok((nhs, category))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_audit_event_s_day_copy_is_read_as_a_change() {
        assert!(audit_day_key(
            "audit/2026/12/06/0190a0c4-0000-7000-8000-000000000001.json"
        ));
        for other in [
            "audit/by-patient/10000001/9998-0190a0c4-0000-7000-8000-000000000001.json",
            "audit/alerts/9998-0190a0c4-0000-7000-8000-000000000001.json",
            "audit/2026/12/06/not-an-id.json",
            "patients/10000001/manifest.json",
        ] {
            assert!(!audit_day_key(other), "{other}");
        }
    }

    #[test]
    fn document_changes_notify_and_reads_do_not() {
        for action in [
            AuditAction::Upload,
            AuditAction::Stamp,
            AuditAction::Detach,
            AuditAction::Processed,
        ] {
            assert!(notifies(action), "{action:?}");
        }
        for action in [AuditAction::View, AuditAction::List, AuditAction::Find] {
            assert!(!notifies(action), "{action:?}");
        }
    }
}
