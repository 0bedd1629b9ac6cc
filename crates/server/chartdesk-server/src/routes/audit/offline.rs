//! Reads a desktop made from its offline copy, reported later. The server decides what is
//! stored and where: its own UUIDv7 and a newest-first key under the patient's prefix for
//! reported views (never the client's id), listed after every event the server witnessed, so
//! no reported time can put a view ahead of them; only for patients and documents it holds,
//! only at times a desktop could have read them.
//! A replayed report (a retry after a lost answer) is stored once: the desktop's id claims a
//! create-only marker per user.

use std::collections::{HashMap, HashSet};

use chartdesk_api::{OfflineAction, OfflineView};
use chartdesk_domain::{keys, Mrn, StatedReason};
use chartdesk_domain::{AuditAction, AuditEvent};
use chartdesk_records::audit;
use chartdesk_records::store::object_store::{StoreError, Write};
use futures_util::{StreamExt, TryStreamExt};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::access;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The most reads one report may carry (issue 22: every batch has a limit).
pub const MAX_VIEWS: usize = 500;

/// How far back a reported read may be: the desktop's default offline retention
/// (`DEFAULT_CACHE_RETENTION_DAYS`, 30 days, in the desktop's `config.rs`). A desktop keeps
/// nothing older to read offline, so an older time is not a real offline read.
pub const OFFLINE_RETENTION: Duration = Duration::days(30);

/// How far ahead of the server's clock a reported read may claim to be (a desktop's clock
/// drifts a little; more is refused, never moved).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// Stores and reads run a few at a time, so a full report stays well within a request.
const AT_ONCE: usize = 8;

/// One reported read, checked for shape.
pub struct Parsed {
    client_id: Uuid,
    mrn: Mrn,
    doc_id: Option<Uuid>,
    at: OffsetDateTime,
    action: AuditAction,
    reason: Option<StatedReason>,
    count: Option<u32>,
}

/// Checks every view's shape; one malformed view refuses the whole report (400), as nothing
/// a desktop makes is malformed.
pub fn parse(state: &AppState, views: &[OfflineView]) -> ApiResult<Vec<Parsed>> {
    views
        .iter()
        .map(|v| {
            let at = OffsetDateTime::parse(&v.at, &Rfc3339)
                .map_err(|_| ApiError::Invalid("A reported view has no valid time".into()))?
                .to_offset(UtcOffset::UTC);
            let reason = match v.reason.as_deref() {
                Some(id) => Some(StatedReason::parse(Some(id), v.reason_detail.as_deref())?),
                None => None,
            };
            Ok(Parsed {
                client_id: v.event_id,
                mrn: access::parse_mrn(state, &v.mrn)?,
                doc_id: v.doc_id,
                at,
                action: match v.action {
                    OfflineAction::Find => AuditAction::Find,
                    OfflineAction::List => AuditAction::List,
                    OfflineAction::Thumbnails => AuditAction::Thumbnails,
                    OfflineAction::View => AuditAction::View,
                },
                reason,
                count: v.count,
            })
        })
        .collect()
}

/// Splits the views into those that could have happened (kept) and a count of the rest
/// (refused, never stored): a patient not registered here, a document not in the record, a
/// time older than the offline retention or ahead of the server's clock. Refused views are
/// answered, not failed, so one of them never holds a desktop's later reports back.
pub async fn plausible(
    state: &AppState,
    views: Vec<Parsed>,
    now: OffsetDateTime,
) -> ApiResult<(Vec<Parsed>, u32)> {
    let in_time = |at: OffsetDateTime| at >= now - OFFLINE_RETENTION && at <= now + CLOCK_SKEW;
    let mrns: HashSet<Mrn> = views
        .iter()
        .filter(|v| in_time(v.at))
        .map(|v| v.mrn.clone())
        .collect();
    let documents: HashMap<Mrn, Option<HashSet<Uuid>>> = futures_util::stream::iter(mrns)
        .map(|mrn| async move {
            let docs = documents_of(state, &mrn).await?;
            Ok::<_, ApiError>((mrn, docs))
        })
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await?;
    let total = views.len();
    let kept: Vec<Parsed> = views
        .into_iter()
        .filter(|v| in_time(v.at))
        .filter(|v| match documents.get(&v.mrn) {
            Some(Some(docs)) => v.doc_id.is_none_or(|d| docs.contains(&d)),
            _ => false,
        })
        .collect();
    let refused = u32::try_from(total - kept.len()).unwrap_or(u32::MAX);
    Ok((kept, refused))
}

/// The ids of a registered patient's documents (any status: a read made offline may be of a
/// document detached since); `None` when no such patient is registered.
async fn documents_of(state: &AppState, mrn: &Mrn) -> ApiResult<Option<HashSet<Uuid>>> {
    if !state.store.exists(&keys::patient(mrn)).await? {
        return Ok(None);
    }
    let (manifest, _) = access::manifest(state, mrn).await?;
    Ok(Some(manifest.documents.iter().map(|d| d.id).collect()))
}

/// Stores the kept views; returns how many the server now holds (a replay counts once more,
/// but is stored once).
pub async fn store(
    state: &AppState,
    actor: &str,
    views: Vec<Parsed>,
    now: OffsetDateTime,
) -> ApiResult<u32> {
    let reported_at = now.format(&Rfc3339).unwrap_or_default();
    let stored: Vec<()> = futures_util::stream::iter(views)
        .map(|v| store_one(state, actor, v, &reported_at))
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await?;
    Ok(u32::try_from(stored.len()).unwrap_or(u32::MAX))
}

/// `audit/offline-ids/{actor}/{client event id}.json`: per user, so nobody can claim the ids
/// of another user's views and so have them dropped.
fn marker_key(actor: &str, client_id: Uuid) -> String {
    let actor = utf8_percent_encode(actor, NON_ALPHANUMERIC);
    format!("audit/offline-ids/{actor}/{client_id}.json")
}

async fn store_one(state: &AppState, actor: &str, v: Parsed, reported_at: &str) -> ApiResult<()> {
    let (_, mut event) = audit::event(v.at, actor, v.action, &v.mrn, v.doc_id);
    event.reason = v.reason.as_ref().map(StatedReason::audit_form);
    event.count = v.count;
    event.reported_at = Some(reported_at.to_string());
    event.client_event_id = Some(v.client_id);
    let marker = marker_key(actor, v.client_id);
    let failed = ApiError::AuditFailed;
    // The marker holds the event itself: a replay finishes writing the first report's event
    // (in case that report was cut short) instead of making a second one.
    let event = match state.audit.put_json(&marker, &event, Write::Create).await {
        Ok(_) => event,
        Err(StoreError::Conflict) => match state.audit.get_json::<AuditEvent>(&marker).await {
            Ok(Some(first)) => first.value,
            Ok(None) => return Err(failed(StoreError::Conflict)),
            Err(e) => return Err(failed(e)),
        },
        Err(e) => return Err(failed(e)),
    };
    let at = OffsetDateTime::parse(&event.at, &Rfc3339)
        .map_err(|_| ApiError::Internal("stored offline view"))?;
    audit::write(&*state.audit, at, &event)
        .await
        .map_err(failed)
}
