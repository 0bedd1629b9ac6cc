//! An audit event as the trail stores it (no clinical content), and one line of the
//! access-history panel as the UI shows it. Writing and listing the trail is `chartdesk-records`'.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A patient was looked up and shown (banner and tiles).
    Find,
    /// A category's document list (or a search across the record).
    List,
    /// A batch of thumbnails was handed out with a list.
    Thumbnails,
    View,
    Stamp,
    Detach,
    Delete,
    Upload,
    Export,
    /// A restricted record was opened with a stated reason.
    BreakGlass,
    /// Demographics registered or changed.
    PatientChange,
    /// An upload took a document (`doc_id`) out of the current list, e.g. the oldest of
    /// three preop images; it is kept and shows under the category's history.
    Replace,
    /// Someone asked for a restricted record without giving a reason, and was refused: the
    /// refusal itself tells them the patient is registered here, so it leaves a trace.
    AskedRestricted,
    /// The record was made restricted (`before`/`after` say the flag).
    Restrict,
    /// The record's restriction was lifted (`before`/`after` say the flag).
    Unrestrict,
    /// The demographics were sent again unchanged (the answer still shows the record).
    PatientUnchanged,
    /// The access history of the record was read.
    ReadHistory,
    /// The processing worker checked a document: previews and text made, verdict clean.
    Processed,
    /// The virus scanner found something in a document: it is blocked (records admins read
    /// these in the audit).
    VirusFound,
    /// The stored file was not the file recorded, or could not be processed: never served.
    ProcessingFailed,
    /// A FHIR subscription was registered (records admins; no patient: a day copy only).
    Subscribe,
    /// A FHIR subscription was deleted.
    Unsubscribe,
    /// The whole record was exported for another system (a FHIR bulk export, records admins):
    /// its Patient and every DocumentReference the admin may see.
    ExportRecord,
}

impl AuditAction {
    /// Whether records admins are told of it trust-wide (their list of blocked documents), not
    /// only in that patient's access history.
    pub fn alerts_records_admins(self) -> bool {
        matches!(self, AuditAction::VirusFound)
    }

    /// Whether it changes a document (attached, replaced, stamped, detached, deleted, or the
    /// worker's outcome): such events are what other systems' subscriptions are told of.
    pub fn changes_a_document(self) -> bool {
        matches!(
            self,
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

    /// What the access-history panel says.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Find => "Found the patient",
            AuditAction::List => "Listed documents",
            AuditAction::Thumbnails => "Saw thumbnails",
            AuditAction::View => "Opened a document",
            AuditAction::Stamp => "Stamped a document",
            AuditAction::Detach => "Detached a document",
            AuditAction::Delete => "Deleted a document",
            AuditAction::Upload => "Added a document",
            AuditAction::Export => "Exported a document",
            AuditAction::BreakGlass => "Opened the restricted record",
            AuditAction::PatientChange => "Changed the demographics",
            AuditAction::Replace => "Replaced a document (kept in the history)",
            AuditAction::AskedRestricted => "Asked for a restricted record",
            AuditAction::Restrict => "Restricted the record",
            AuditAction::Unrestrict => "Lifted the restriction",
            AuditAction::PatientUnchanged => "Saved the demographics unchanged",
            AuditAction::ReadHistory => "Read the access history",
            AuditAction::Processed => "Checked the document (virus scan, previews, text)",
            AuditAction::VirusFound => "Blocked a document: a virus was found",
            AuditAction::ProcessingFailed => "Could not process a document",
            AuditAction::Subscribe => "Registered a FHIR subscription",
            AuditAction::Unsubscribe => "Deleted a FHIR subscription",
            AuditAction::ExportRecord => "Exported the record (FHIR bulk export)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct AuditEvent {
    /// Made by the server when it recorded the event (UUIDv7).
    #[ts(type = "string")]
    pub event_id: Uuid,
    /// When it happened (RFC 3339); for an event a client reports later, when it happened there.
    pub at: String,
    pub actor: String,
    pub action: AuditAction,
    pub mrn: String,
    #[ts(type = "string | null")]
    pub doc_id: Option<Uuid>,
    /// An event about several documents at once (files added to one record in one request):
    /// all of them, `doc_id` the first. Empty for an event about one document or none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(type = "Array<string>")]
    pub doc_ids: Vec<Uuid>,
    /// Break-glass: the reason the user gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How many items (rows listed, thumbnails handed out, files exported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Set for views a desktop made offline and reported later: when the server received them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_at: Option<String>,
    /// For a view reported later: the id the desktop gave it (a replay is stored once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub client_event_id: Option<Uuid>,
    /// A change of a flag: its value before and after (`restricted`, `not restricted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// A demographics change: the names of the fields changed (never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

impl AuditEvent {
    /// Every document the event is about: `doc_ids` when it names several, else `doc_id`.
    pub fn documents(&self) -> Vec<Uuid> {
        match (self.doc_ids.is_empty(), self.doc_id) {
            (false, _) => self.doc_ids.clone(),
            (true, Some(id)) => vec![id],
            (true, None) => Vec::new(),
        }
    }

    /// Whether the event is about this document (alone or among others).
    pub fn is_about(&self, doc: Uuid) -> bool {
        self.doc_id == Some(doc) || self.doc_ids.contains(&doc)
    }
}

/// One line of the access-history panel.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
pub struct AccessEvent {
    /// RFC 3339, as recorded.
    pub at: String,
    /// UK local time for the panel, with its zone: `30-Nov-2026 09:15 GMT`, `30-Jun-2026 10:15 BST`.
    pub shown_at: String,
    pub actor: String,
    pub action: String,
    pub doc_id: Option<String>,
    /// The break-glass reason, for opening a restricted record.
    pub reason: Option<String>,
    /// A view made from the offline copy and reported later.
    pub reported_offline: bool,
    /// What changed, in words: `not restricted → restricted`, or the demographics' field names.
    #[serde(default)]
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn events_without_optional_fields_read_back() {
        let json = r#"{"event_id":"00000000-0000-0000-0000-000000000000","at":"x","actor":"a",
            "action":"view","mrn":"10000001","doc_id":null}"#;
        let e: AuditEvent = serde_json::from_str(json).unwrap();
        assert_eq!(e.action, AuditAction::View);
        assert!(e.reason.is_none() && e.reported_at.is_none());
        assert!(e.client_event_id.is_none() && e.changed.is_empty());
        assert!(e.doc_ids.is_empty() && e.documents().is_empty());
    }

    #[test]
    fn an_event_about_several_documents_is_about_each_and_one_about_one_as_before() {
        let json = |docs: &str| {
            format!(
                r#"{{"event_id":"00000000-0000-0000-0000-000000000000","at":"x","actor":"a",
                "action":"upload","mrn":"10000001",{docs}}}"#
            )
        };
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let one: AuditEvent = serde_json::from_str(&json(&format!(r#""doc_id":"{a}""#))).unwrap();
        assert_eq!(one.documents(), vec![a]);
        assert!(one.is_about(a) && !one.is_about(b));
        assert!(!serde_json::to_string(&one).unwrap().contains("doc_ids"));
        let both = json(&format!(r#""doc_id":"{a}","doc_ids":["{a}","{b}"]"#));
        let both: AuditEvent = serde_json::from_str(&both).unwrap();
        assert_eq!(both.documents(), vec![a, b]);
        assert!(both.is_about(a) && both.is_about(b));
    }

    #[test]
    fn document_changes_notify_and_reads_do_not() {
        for action in [
            AuditAction::Upload,
            AuditAction::Stamp,
            AuditAction::Detach,
            AuditAction::Processed,
        ] {
            assert!(action.changes_a_document(), "{action:?}");
        }
        for action in [AuditAction::View, AuditAction::List, AuditAction::Find] {
            assert!(!action.changes_a_document(), "{action:?}");
        }
    }
}
