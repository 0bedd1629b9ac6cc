//! Reaching a patient's record: the MRN checked, the patient loaded, the break-glass rule for
//! restricted records applied, and the audit event written before anything is handed over.

use axum::http::HeaderMap;
use chartdesk_api::{BREAK_GLASS_DETAIL_HEADER, BREAK_GLASS_REASON_HEADER};
use chartdesk_domain::{keys, BreakGlassError, Manifest, Mrn, Patient, StatedReason};
use chartdesk_domain::{AuditAction, AuditEvent};
use chartdesk_records::store::object_store::Versioned;
use chartdesk_records::{audit, StoredManifest};
use uuid::Uuid;

use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The break-glass reason a request carries, if any (checked, not yet required).
pub fn stated_reason(headers: &HeaderMap) -> Result<Option<StatedReason>, BreakGlassError> {
    let read = |name: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()).map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    };
    let reason = read(BREAK_GLASS_REASON_HEADER);
    if reason.is_none() {
        return Ok(None);
    }
    StatedReason::parse(
        reason.as_deref(),
        read(BREAK_GLASS_DETAIL_HEADER).as_deref(),
    )
    .map(Some)
}

/// A patient the caller may see now, with the reason they gave when the record is restricted.
pub struct Reached {
    pub mrn: Mrn,
    pub reason: Option<StatedReason>,
    /// The patient as loaded for the check (flags, successor), so callers need not read it again.
    pub patient: Patient,
}

pub fn parse_mrn(state: &AppState, mrn: &str) -> ApiResult<Mrn> {
    Ok(state.mrn_format.parse(mrn)?)
}

/// Loads the patient and applies the break-glass rule: a restricted record needs a reason, for
/// every role. A request refused for want of one is audited first (`admit`).
pub async fn reach(
    state: &AppState,
    user: &VerifiedUser,
    mrn: Mrn,
    headers: &HeaderMap,
) -> ApiResult<Reached> {
    let patient = state
        .store
        .get_json::<Patient>(&keys::patient(&mrn))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No patient found with MRN {mrn}")))?
        .value;
    let reason = stated_reason(headers)?;
    admit(state, user, &patient, reason.as_ref()).await?;
    Ok(Reached {
        mrn,
        reason,
        patient,
    })
}

/// The event an answer naming an admitted patient leaves: a break-glass when the record is
/// restricted (the reason was given, or `admit` would have refused), a find otherwise.
pub fn found_action(patient: &Patient, reason: Option<&StatedReason>) -> AuditAction {
    if patient.flags.restricted && reason.is_some() {
        AuditAction::BreakGlass
    } else {
        AuditAction::Find
    }
}

/// The break-glass rule for one patient: a restricted record without a reason is refused
/// (`reason_required`), and the refusal is audited first ("Asked for a restricted record"),
/// because the answer itself says that the patient is registered here and restricted.
pub async fn admit(
    state: &AppState,
    user: &VerifiedUser,
    patient: &Patient,
    reason: Option<&StatedReason>,
) -> ApiResult<()> {
    if patient.flags.restricted && reason.is_none() {
        let probe = Detail::default();
        audit(
            state,
            user,
            AuditAction::AskedRestricted,
            &patient.mrn,
            probe,
        )
        .await?;
        return Err(BreakGlassError::ReasonRequired.into());
    }
    Ok(())
}

/// The patient's manifest and its ETag (`None` before the first document).
pub async fn manifest(state: &AppState, mrn: &Mrn) -> ApiResult<(Manifest, Option<String>)> {
    Ok(
        match chartdesk_records::read_manifest(&*state.store, mrn).await? {
            Some(Versioned { value, etag }) => (value, Some(etag)),
            None => (Manifest::new(), None),
        },
    )
}

/// The patient's manifest as stored, for a change that first checks the request against it
/// (`update_manifest_from`); `None` when the patient has none yet.
pub async fn stored(state: &AppState, mrn: &Mrn) -> ApiResult<Option<StoredManifest>> {
    Ok(chartdesk_records::read_stored(&*state.store, mrn).await?)
}

/// `reach`, then the manifest. One after the other: `reach` may write an audit event (a
/// refused probe), and a manifest read failing alongside must never cancel that write.
pub async fn reach_with_manifest(
    state: &AppState,
    user: &VerifiedUser,
    mrn: Mrn,
    headers: &HeaderMap,
) -> ApiResult<(Reached, Manifest, Option<String>)> {
    let reached = reach(state, user, mrn, headers).await?;
    let (manifest, etag) = manifest(state, &reached.mrn).await?;
    Ok((reached, manifest, etag))
}

/// What one audit event says beyond who, what and which record.
#[derive(Default)]
pub struct Detail<'a> {
    pub doc_id: Option<Uuid>,
    /// Several documents at once (a batch of uploads to one record): all of them, in one
    /// event rather than one each. `doc_id` is then the first.
    pub doc_ids: &'a [Uuid],
    pub reason: Option<&'a StatedReason>,
    pub count: Option<u32>,
    /// A flag's value before and after (a restriction change).
    pub before: Option<&'static str>,
    pub after: Option<&'static str>,
    /// The names of the demographics' fields changed.
    pub changed: Vec<String>,
}

/// Writes the event before the action takes effect: if it cannot be written, the action is
/// refused (`AuditFailed`).
pub async fn audit(
    state: &AppState,
    user: &VerifiedUser,
    action: AuditAction,
    mrn: &Mrn,
    detail: Detail<'_>,
) -> ApiResult<()> {
    let now = state.now();
    let (_, mut event): (String, AuditEvent) =
        audit::event(now, &user.actor, action, mrn, detail.doc_id);
    if let Some(first) = detail.doc_ids.first() {
        event.doc_id = Some(*first);
    }
    if detail.doc_ids.len() > 1 {
        event.doc_ids = detail.doc_ids.to_vec();
    }
    event.reason = detail.reason.map(StatedReason::audit_form);
    event.count = detail.count;
    event.before = detail.before.map(str::to_string);
    event.after = detail.after.map(str::to_string);
    event.changed = detail.changed;
    audit::write(&*state.audit, now, &event)
        .await
        .map_err(ApiError::AuditFailed)
}
