//! What goes through the records server when the profile names one: the changes it decides
//! (stamp, detach, delete), its word on who may open a patient (roles, break-glass, audit),
//! the access history and the patient import. Reads of lists and files still go to S3 with the
//! profile's credentials until they move to the server too.

use chartdesk_api::ImportReport;
use tracing::instrument;

use super::{AppError, Services};
use crate::cloud::RecordsServer;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::domain::{Action, BreakGlassReason};
use crate::records::audit::AuditEvent;

/// One line of the access-history panel.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct AccessEvent {
    /// RFC 3339, as recorded.
    pub at: String,
    /// UK form for the panel, e.g. `30-Nov-2026 09:15` (UTC).
    pub shown_at: String,
    pub actor: String,
    pub action: String,
    pub doc_id: Option<String>,
    /// The break-glass reason, for opening a restricted record.
    pub reason: Option<String>,
    /// A view made from the offline copy and reported later.
    pub reported_offline: bool,
}

/// A break-glass reason as the list offers it.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct BreakGlassChoice {
    pub reason: BreakGlassReason,
    pub label: String,
}

pub fn break_glass_choices() -> Vec<BreakGlassChoice> {
    BreakGlassReason::ALL
        .into_iter()
        .map(|reason| BreakGlassChoice {
            reason,
            label: reason.label().to_string(),
        })
        .collect()
}

fn access_event(e: AuditEvent) -> AccessEvent {
    let format =
        time::macros::format_description!("[day]-[month repr:short]-[year] [hour]:[minute]");
    let shown_at = OffsetDateTime::parse(&e.at, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| e.at.clone());
    AccessEvent {
        shown_at,
        at: e.at,
        actor: e.actor,
        action: e.action.label().to_string(),
        doc_id: e.doc_id.map(|d| d.to_string()),
        reason: e.reason.as_deref().map(reason_shown),
        reported_offline: e.reported_at.is_some(),
    }
}

/// `clinical_emergency: words` as the panel says it: `Clinical emergency: words`.
fn reason_shown(stored: &str) -> String {
    let (id, words) = stored.split_once(": ").unwrap_or((stored, ""));
    match (BreakGlassReason::from_id(id), words.is_empty()) {
        (Some(BreakGlassReason::Other), false) => format!("Other: {words}"),
        (Some(r), true) => r.label().to_string(),
        (Some(r), false) => format!("{}: {words}", r.label()),
        (None, _) => stored.to_string(),
    }
}

impl Services {
    /// The signed-in user's Cognito access token, for the records server.
    pub(super) async fn access_token(&self) -> Result<String, AppError> {
        self.read_session(|s| s.tokens.access_token.clone()).await
    }

    pub(super) fn records_server(&self) -> Option<&RecordsServer> {
        self.server.as_ref()
    }

    /// Detach or delete, made and audited by the server (records admins).
    pub(super) async fn remove_through_server(
        &self,
        mrn: &str,
        doc_id: &str,
        delete: bool,
    ) -> Result<(), AppError> {
        self.authorize(Action::DetachOrDelete).await?;
        let mrn = self.parse_mrn(mrn)?;
        uuid::Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        let server = self.records_server_or_none()?;
        let token = self.access_token().await?;
        let reason = self.reason_for(mrn.as_ref());
        server
            .remove(&token, mrn.as_ref(), doc_id, reason.as_ref(), delete)
            .await?;
        Ok(())
    }

    /// Who opened or changed this patient's record, newest first (records admins).
    #[instrument(skip_all)]
    pub async fn access_history(&self, mrn: &str) -> Result<Vec<AuditEvent>, AppError> {
        self.authorize(Action::ReadAudit).await?;
        let mrn = self.parse_mrn(mrn)?;
        let server = self.records_server_or_none()?;
        let token = self.access_token().await?;
        Ok(server.access_history(&token, mrn.as_ref()).await?.events)
    }

    /// `access_history` as the panel shows it.
    pub async fn access_history_rows(&self, mrn: &str) -> Result<Vec<AccessEvent>, AppError> {
        Ok(self
            .access_history(mrn)
            .await?
            .into_iter()
            .map(access_event)
            .collect())
    }

    /// Registers or updates the patients of a PAS-style CSV extract (records admins), through
    /// the records server, which checks every row.
    #[instrument(skip_all)]
    pub async fn import_patients(&self, csv: String) -> Result<ImportReport, AppError> {
        self.authorize(Action::ManagePatients).await?;
        let server = self.records_server().ok_or(AppError::NoServer)?;
        let token = self.access_token().await?;
        Ok(server.import_patients(&token, csv).await?)
    }
}
