//! A record's access history as FHIR AuditEvents: who did what to which record (and
//! document), when, and the break-glass reason they gave.

use chartdesk_domain::{AuditAction, AuditEvent};
use serde_json::{json, Value};

use crate::ids::document_id;

/// Our audit actions as a code system (the `subtype`); the codes are the audit trail's own.
pub const AUDIT_ACTION_SYSTEM: &str = "https://chartdesk.nhs.uk/fhir/CodeSystem/audit-action";

/// FHIR's CRUDE action for one of ours.
fn crude(action: AuditAction) -> &'static str {
    use AuditAction::*;
    match action {
        Upload | Subscribe => "C",
        Stamp | Detach | Replace | PatientChange | Restrict | Unrestrict | Processed
        | VirusFound | ProcessingFailed => "U",
        Delete | Unsubscribe => "D",
        Export | ExportRecord => "E",
        _ => "R",
    }
}

/// One event as an AuditEvent resource.
pub fn audit_event(event: &AuditEvent) -> Value {
    let code = serde_json::to_value(event.action).unwrap_or(Value::Null);
    let mut entity = vec![json!({ "what": { "reference": format!("Patient/{}", event.mrn) } })];
    for doc in event.documents() {
        let id = document_id(&event.mrn, doc);
        entity.push(json!({ "what": { "reference": format!("DocumentReference/{id}") } }));
    }
    let mut resource = json!({
        "resourceType": "AuditEvent",
        "id": event.event_id.to_string(),
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
            "display": "RESTful Operation"
        },
        "subtype": [{ "system": AUDIT_ACTION_SYSTEM, "code": code, "display": event.action.label() }],
        "action": crude(event.action),
        "recorded": event.at,
        "outcome": "0",
        "agent": [{ "who": { "display": event.actor }, "requestor": true }],
        "source": { "observer": { "display": "Chartdesk records server" } },
        "entity": entity
    });
    if let Some(reason) = &event.reason {
        resource["purposeOfEvent"] = json!([{ "text": reason }]);
    }
    resource
}
