//! What goes through the records server when the profile names one: the changes it decides
//! (stamp, detach, delete), its word on who may open a patient (roles, break-glass, audit),
//! the access history and the patient import. Reads of lists and files still go to S3 with the
//! profile's credentials until they move to the server too.

use chartdesk_api::{AuditHistory, ImportReport};
use serde::Serialize;
use tracing::instrument;

use super::{AppError, Services};
use crate::cloud::records_server::HistoryPage;

use chartdesk_domain::Action;
use chartdesk_domain::AuditEvent;

pub use chartdesk_api::AlertList;
pub use chartdesk_domain::AccessEvent;
pub use chartdesk_domain::{break_glass_choices, BreakGlassChoice};
use chartdesk_records::audit::access_event;

/// One page of the access-history panel, newest first.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AccessHistoryRows {
    pub rows: Vec<AccessEvent>,
    /// Older events remain: send this back as `after` for the next page.
    pub next: Option<String>,
}

/// The records admins' operations, as the shells reach them (`app.admin().import_patients(..)`):
/// the access history, alerts, detach and delete, the patient import, the FHIR export. The
/// server checks the role too.
#[derive(Clone, Copy)]
pub struct RecordsAdmin<'a> {
    pub(super) app: &'a Services,
}

impl Services {
    pub fn admin(&self) -> RecordsAdmin<'_> {
        RecordsAdmin { app: self }
    }

    /// The signed-in user's Cognito access token, for the records server.
    pub(super) async fn access_token(&self) -> Result<String, AppError> {
        Ok(self.session.read(|s| s.tokens.access_token.clone()).await?)
    }
}

impl RecordsAdmin<'_> {
    /// Detach or delete, made and audited by the server (records admins).
    pub(super) async fn remove_through_server(
        self,
        mrn: &str,
        doc_id: &str,
        removal: crate::cloud::records_server::Removal<'_>,
    ) -> Result<(), AppError> {
        self.app.authorize(Action::DetachOrDelete).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        uuid::Uuid::parse_str(doc_id).map_err(|_| AppError::NoSuchDocument)?;
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let reason = self.app.records.reason_for(mrn.as_ref());
        server
            .remove(&token, mrn.as_ref(), doc_id, reason.as_ref(), removal)
            .await?;
        Ok(())
    }
}

impl RecordsAdmin<'_> {
    /// Who opened or changed this patient's record, newest first (records admins): the newest
    /// page, or the page after `after` (the `next` of the page before), of at most `limit`
    /// events (the server's default when `None`).
    #[instrument(skip_all)]
    pub async fn access_history_page(
        self,
        mrn: &str,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> Result<AuditHistory, AppError> {
        self.app.authorize(Action::ReadAudit).await?;
        let mrn = self.app.parse_mrn(mrn)?;
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        // A restricted record's history needs the reason given for this patient, as its reads do.
        let reason = self.app.records.reason_for(mrn.as_ref());
        let page = HistoryPage { after, limit };
        let history = server.access_history(&token, mrn.as_ref(), reason.as_ref(), page);
        Ok(history.await?)
    }

    /// The newest page of this patient's access history (records admins).
    pub async fn access_history(self, mrn: &str) -> Result<Vec<AuditEvent>, AppError> {
        Ok(self.access_history_page(mrn, None, None).await?.events)
    }

    /// A page of `access_history` as the panel shows it, with where the next, older one starts.
    pub async fn access_history_rows(
        self,
        mrn: &str,
        after: Option<&str>,
    ) -> Result<AccessHistoryRows, AppError> {
        let page = self.access_history_page(mrn, after, None).await?;
        Ok(AccessHistoryRows {
            rows: page.events.into_iter().map(access_event).collect(),
            next: page.next,
        })
    }

    /// The newest documents the virus scanner blocked, trust-wide, newest first (records
    /// admins): the server's list, each with its patient and file name.
    #[instrument(skip_all)]
    pub async fn alerts(self) -> Result<AlertList, AppError> {
        self.app.authorize(Action::ReadAudit).await?;
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        Ok(server.alerts(&token).await?)
    }

    /// Registers or updates the patients of a PAS-style CSV extract (records admins), through
    /// the records server, which checks every row.
    #[instrument(skip_all)]
    pub async fn import_patients(self, csv: String) -> Result<ImportReport, AppError> {
        self.app.authorize(Action::ManagePatients).await?;
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        Ok(server.import_patients(&token, csv).await?)
    }
}
