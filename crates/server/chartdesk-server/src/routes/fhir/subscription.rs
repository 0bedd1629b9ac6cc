//! `POST/GET/DELETE /fhir/R4/Subscription` (records admins): R4 rest-hook subscriptions on a
//! patient (by NHS number) or a category, to an endpoint on the trust's allow-list, stored in
//! the bucket (`chartdesk_records::subscriptions`; a DELETE switches one `off`, and reads
//! treat it as gone) and notified by the processing worker
//! (ARCHITECTURE.md §10). The shared secret is stored and never shown or logged again.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chartdesk_domain::{Action, AuditAction, AuditEvent};
use chartdesk_fhir::outcome::{outcome, SpineCode};
use chartdesk_fhir::subscription::{secret_header, shown, Subscription};
use chartdesk_fhir::{Bundle, BundleEntry, BundleLink};
use chartdesk_records::subscriptions::{
    all_subscriptions, create_subscription, read_subscription, switch_off_subscription, Criteria,
    StoredSubscription, SubscriptionStatus,
};
use uuid::Uuid;

use super::{base, fhir_json, on_document, signed_in, Fhir, FhirError, FhirResult};
use crate::auth::VerifiedUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Audits a subscription's registration or deletion, before it is made (as every change):
/// trust-wide only (the day copy), since a subscription is no one patient's; its id in
/// `after` (registered) or `before` (deleted).
async fn audited(
    state: &AppState,
    user: &VerifiedUser,
    action: AuditAction,
    id: Uuid,
) -> FhirResult<()> {
    let now = state.now();
    let named = Some(id.to_string());
    let (before, after) = match action {
        AuditAction::Unsubscribe => (named, None),
        _ => (None, named),
    };
    let event = AuditEvent {
        event_id: Uuid::now_v7(),
        at: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        actor: user.actor.clone(),
        action,
        mrn: String::new(),
        doc_id: None,
        doc_ids: Vec::new(),
        reason: None,
        count: None,
        reported_at: None,
        client_event_id: None,
        before,
        after,
        changed: Vec::new(),
    };
    chartdesk_records::audit::write(&*state.audit, now, &event)
        .await
        .map_err(|e| on_document(ApiError::AuditFailed(e)))
}

/// The longest `reason` kept.
const MAX_REASON: usize = 500;

fn admin(user: Result<VerifiedUser, ApiError>) -> FhirResult<VerifiedUser> {
    let user = signed_in(user)?;
    user.require(Action::ManageSubscriptions)
        .map_err(on_document)?;
    Ok(user)
}

/// A Subscription this server cannot take (`INVALID_RESOURCE`).
fn invalid_resource(words: &str) -> FhirError {
    FhirError {
        status: StatusCode::BAD_REQUEST,
        outcome: outcome("invalid", Some(SpineCode::InvalidResource), words),
    }
}

fn not_found() -> FhirError {
    on_document(ApiError::NotFound("No subscription has this id".into()))
}

fn store_failed(e: chartdesk_records::store::StoreError) -> FhirError {
    on_document(e.into())
}

fn as_fhir(s: &StoredSubscription) -> Subscription {
    shown(
        s.id.to_string(),
        s.status.code(),
        &s.reason,
        s.criteria.text(),
        s.error.clone(),
        &s.endpoint,
        &s.header_name,
    )
}

pub async fn create(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> FhirResult<Response> {
    let user = admin(user)?;
    let asked: Subscription = serde_json::from_slice(&body)
        .map_err(|_| invalid_resource("The body is not an R4 Subscription"))?;
    if asked.resource_type != "Subscription" || asked.channel.kind != "rest-hook" {
        return Err(invalid_resource(
            "Only a Subscription with a rest-hook channel can be registered",
        ));
    }
    if !matches!(asked.status.as_str(), "" | "requested" | "active") {
        return Err(invalid_resource(
            "A new subscription's status is requested or active",
        ));
    }
    let criteria =
        Criteria::parse(&asked.criteria).map_err(|e| invalid_resource(&e.to_string()))?;
    if asked.channel.payload.is_some() {
        return Err(invalid_resource(
            "Leave channel.payload out: notifications are empty (the receiver reads the changes through this API)",
        ));
    }
    let endpoint = asked.channel.endpoint.as_deref().unwrap_or_default();
    if !state.subscriber_origins.allows(endpoint) {
        return Err(invalid_resource(
            "The endpoint is not on the trust's list of subscriber addresses (CHARTDESK_FHIR_SUBSCRIBER_ORIGINS)",
        ));
    }
    let (header_name, secret) = secret_header(&asked.channel).ok_or_else(|| {
        invalid_resource(
            "Give exactly one channel.header, \"X-Chartdesk-Secret: {shared secret}\" (or another header name)",
        )
    })?;
    if secret.len() < 16 {
        return Err(invalid_resource(
            "The shared secret must be at least 16 characters long",
        ));
    }
    let stored = StoredSubscription {
        id: Uuid::now_v7(),
        status: SubscriptionStatus::Active,
        criteria,
        reason: asked.reason.chars().take(MAX_REASON).collect(),
        endpoint: endpoint.to_string(),
        header_name: header_name.to_string(),
        secret: secret.to_string(),
        error: None,
        created_by: user.actor.clone(),
    };
    audited(&state, &user, AuditAction::Subscribe, stored.id).await?;
    create_subscription(&*state.store, &stored)
        .await
        .map_err(store_failed)?;
    tracing::info!(subscription = %stored.id, "FHIR subscription registered");
    let body = serde_json::to_vec(&as_fhir(&stored)).unwrap_or_default();
    let mut response = fhir_json(StatusCode::CREATED, body);
    let location = format!("{}/Subscription/{}", base(&state, &headers), stored.id);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

fn parse_id(id: &str) -> FhirResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| not_found())
}

pub async fn read(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    Path(id): Path<String>,
) -> FhirResult<Fhir<Subscription>> {
    admin(user)?;
    let found = read_subscription(&*state.store, parse_id(&id)?)
        .await
        .map_err(store_failed)?
        .filter(|s| s.value.status != SubscriptionStatus::Off)
        .ok_or_else(not_found)?;
    Ok(Fhir(as_fhir(&found.value)))
}

pub async fn search(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    headers: HeaderMap,
) -> FhirResult<Fhir<Bundle>> {
    admin(user)?;
    let base = base(&state, &headers);
    let all = all_subscriptions(&*state.store)
        .await
        .map_err(store_failed)?;
    let entry: Vec<BundleEntry> = all
        .iter()
        .filter(|s| s.status != SubscriptionStatus::Off)
        .map(|s| BundleEntry::matched(format!("{base}/Subscription/{}", s.id), &as_fhir(s)))
        .collect();
    let total = u32::try_from(entry.len()).unwrap_or(u32::MAX);
    let link = vec![BundleLink {
        relation: "self".into(),
        url: format!("{base}/Subscription"),
    }];
    Ok(Fhir(Bundle::searchset(total, entry, link)))
}

pub async fn delete(
    State(state): State<AppState>,
    user: Result<VerifiedUser, ApiError>,
    Path(id): Path<String>,
) -> FhirResult<Response> {
    let user = admin(user)?;
    let id = parse_id(&id)?;
    let live = read_subscription(&*state.store, id)
        .await
        .map_err(store_failed)?
        .is_some_and(|s| s.value.status != SubscriptionStatus::Off);
    if !live {
        return Err(not_found());
    }
    audited(&state, &user, AuditAction::Unsubscribe, id).await?;
    switch_off_subscription(&*state.store, id)
        .await
        .map_err(store_failed)?;
    tracing::info!(subscription = %id, "FHIR subscription switched off");
    Ok(StatusCode::NO_CONTENT.into_response())
}
