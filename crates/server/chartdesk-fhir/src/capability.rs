//! The CapabilityStatement: exactly the interactions and search parameters implemented.

use serde_json::{json, Value};

/// What `GET metadata` answers; `date` is when the server started (RFC 3339).
pub fn capability_statement(version: &str, date: &str) -> Value {
    let param = |name: &str, kind: &str| json!({ "name": name, "type": kind });
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "kind": "instance",
        "software": { "name": "Chartdesk records server", "version": version },
        "implementation": { "description": "Chartdesk clinical document store: FHIR R4 read API" },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": false,
                "description": "A Cognito access token (Authorization: Bearer). Restricted records need the break-glass headers x-chartdesk-break-glass-reason and x-chartdesk-break-glass-detail, as /v1 does."
            },
            "resource": [
                {
                    "type": "Patient",
                    "profile": crate::codes::UK_CORE_PATIENT,
                    "interaction": [{ "code": "read" }, { "code": "search-type" }],
                    "searchParam": [param("identifier", "token")]
                },
                {
                    "type": "DocumentReference",
                    "profile": crate::codes::UK_CORE_DOCUMENT_REFERENCE,
                    "interaction": [{ "code": "read" }, { "code": "search-type" }],
                    "searchParam": [
                        param("patient.identifier", "token"),
                        param("category", "token"),
                        param("type", "token"),
                        param("date", "date"),
                        param("status", "token"),
                        param("_count", "number")
                    ]
                },
                {
                    "type": "Binary",
                    "interaction": [{ "code": "read" }]
                },
                {
                    "type": "AuditEvent",
                    "interaction": [{ "code": "search-type" }],
                    "searchParam": [param("patient", "reference")]
                },
                {
                    "type": "Subscription",
                    "interaction": [
                        { "code": "create" }, { "code": "read" },
                        { "code": "search-type" }, { "code": "delete" }
                    ]
                }
            ]
        }]
    })
}
