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
                    "searchParam": [param("identifier", "token")],
                    "operation": [export_operation("patient-export", "Patient")]
                },
                {
                    "type": "Group",
                    "interaction": [{ "code": "read" }, { "code": "create" }],
                    "operation": [export_operation("group-export", "Group")]
                },
                {
                    "type": "DocumentReference",
                    "profile": crate::codes::UK_CORE_DOCUMENT_REFERENCE,
                    "interaction": [{ "code": "read" }, { "code": "search-type" }, {
                        "code": "create",
                        "documentation": "The file inline as content[0].attachment.data (base64, at most 8 MiB), or in two steps (README \"FHIR\"); every /v1 upload rule applies. A preop image replaces the oldest of a full set only with the extension https://chartdesk.nhs.uk/fhir/StructureDefinition/replace-oldest (valueBoolean true)."
                    }],
                    "conditionalCreate": true,
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
                    "searchParam": [param("patient", "reference"), param("entity", "reference")]
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

/// The Bulk Data `$export` operation on a resource type (records admins; Patient and
/// DocumentReference as NDJSON, polled at `$export-status/{job}`).
fn export_operation(name: &str, on: &str) -> Value {
    json!({
        "name": "export",
        "definition": format!("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/{name}"),
        "documentation": format!("{on}/{{id}}/$export with Prefer: respond-async (records admins): Patient and DocumentReference as application/fhir+ndjson")
    })
}
