//! What a registration or demographics change leaves in the audit trail.

use chartdesk_domain::AuditAction;
use chartdesk_domain::{Patient, StatedReason};

use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::ApiResult;
use crate::state::AppState;

/// Audits a registration or change before it is written: what changed (field names only), and
/// a change of the restriction flag as its own event, with the flag before and after.
pub(super) async fn audit_change(
    state: &AppState,
    user: &VerifiedUser,
    before: Option<&Patient>,
    after: &Patient,
    reason: Option<&StatedReason>,
) -> ApiResult<()> {
    let shown = |restricted: bool| match restricted {
        true => "restricted",
        false => "not restricted",
    };
    let was = before.map(|b| b.flags.restricted);
    let changed = match before {
        None => vec!["registered".to_string()],
        Some(b) => changed_fields(b, after),
    };
    if !changed.is_empty() {
        let detail = Detail {
            reason,
            changed,
            ..Default::default()
        };
        access::audit(state, user, AuditAction::PatientChange, &after.mrn, detail).await?;
    }
    if was != Some(after.flags.restricted) && (was.is_some() || after.flags.restricted) {
        let action = match after.flags.restricted {
            true => AuditAction::Restrict,
            false => AuditAction::Unrestrict,
        };
        let detail = Detail {
            reason,
            before: was.map(shown),
            after: Some(shown(after.flags.restricted)),
            ..Default::default()
        };
        access::audit(state, user, action, &after.mrn, detail).await?;
    }
    Ok(())
}

/// The names of the demographics that differ (never their values: the audit holds none).
fn changed_fields(b: &Patient, a: &Patient) -> Vec<String> {
    [
        ("NHS number", b.nhs_number != a.nhs_number),
        ("given name", b.given_name != a.given_name),
        ("family name", b.family_name != a.family_name),
        ("birth date", b.birth_date != a.birth_date),
        ("postcode", b.postcode != a.postcode),
        ("gender", b.gender != a.gender),
        ("superseded by", b.superseded_by != a.superseded_by),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(name, _)| name.to_string())
    .collect()
}
