//! FHIR Bulk Data export (`$export`, Bulk Data Access IG v2): the job a kick-off writes to the
//! bucket, the outcome the processing worker writes when it has made the NDJSON files, the
//! manifest the status route answers with, and the keys they live under. Pure: no I/O. No
//! patient names anywhere here (MRNs in the job, random ids in the keys).

use chartdesk_domain::{DocumentEntry, DocumentStatus, Manifest};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::document_reference::{document_reference, Context, DocumentReference};
use crate::ids::document_id;

/// The one output format (`_outputFormat`); its abbreviations as the IG lists them.
pub const NDJSON: &str = "application/fhir+ndjson";
const NDJSON_ALIASES: [&str; 3] = [NDJSON, "application/ndjson", "ndjson"];

/// Where job objects are written: their creation notifies the processing worker.
pub const JOBS_PREFIX: &str = "exports/jobs/";

pub fn job_key(job: Uuid) -> String {
    format!("{JOBS_PREFIX}{job}.json")
}

/// The job a key names, when it is a job object (`exports/jobs/{uuid}.json`).
pub fn job_of_key(key: &str) -> Option<Uuid> {
    let id = key.strip_prefix(JOBS_PREFIX)?.strip_suffix(".json")?;
    Uuid::parse_str(id).ok()
}

/// Every object a job made, under one prefix (so a cancel removes them all).
pub fn outputs_prefix(job: Uuid) -> String {
    format!("exports/{job}/")
}

pub fn output_key(job: Uuid, kind: ResourceKind) -> String {
    format!("exports/{job}/{}.ndjson", kind.name())
}

/// The worker's outcome, written create-only once the files are there.
pub fn outcome_key(job: Uuid) -> String {
    format!("exports/{job}/outcome.json")
}

/// The resource types an export may hold (`_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceKind {
    Patient,
    DocumentReference,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 2] = [ResourceKind::Patient, ResourceKind::DocumentReference];

    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::Patient => "Patient",
            ResourceKind::DocumentReference => "DocumentReference",
        }
    }
}

/// `_type` (comma-separated, may repeat); every type when absent; `None` for an unknown one.
pub fn parse_types<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Vec<ResourceKind>> {
    let mut kinds = Vec::new();
    for name in values.into_iter().flat_map(|v| v.split(',')) {
        let kind = ResourceKind::ALL
            .into_iter()
            .find(|k| k.name() == name.trim())?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        kinds = ResourceKind::ALL.to_vec();
    }
    Some(kinds)
}

/// The kick-off parameters this server reads; any other is refused unless the caller sent
/// `Prefer: handling=lenient` (the Bulk Data IG's rule for unsupported parameters).
pub const KICK_OFF_PARAMETERS: [&str; 3] = ["_type", "_outputFormat", "_since"];

/// A POSTed kick-off body that is not a `Parameters` resource of plain values.
#[derive(Debug, thiserror::Error)]
#[error("Send the export's parameters as a FHIR Parameters resource (name with valueString, valueInstant or valueCode), or in the query")]
pub struct BadParameters;

/// The (name, value) pairs of a POSTed kick-off's `Parameters` resource, in order.
pub fn posted_parameters(body: &[u8]) -> Result<Vec<(String, String)>, BadParameters> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| BadParameters)?;
    if value.get("resourceType").and_then(|t| t.as_str()) != Some("Parameters") {
        return Err(BadParameters);
    }
    let listed = value.get("parameter").and_then(|p| p.as_array());
    listed
        .into_iter()
        .flatten()
        .map(|p| {
            let name = p
                .get("name")
                .and_then(|n| n.as_str())
                .ok_or(BadParameters)?;
            let value = ["valueString", "valueInstant", "valueCode", "valueDateTime"]
                .iter()
                .find_map(|k| p.get(*k).and_then(|v| v.as_str()))
                .ok_or(BadParameters)?;
            Ok((name.to_string(), value.to_string()))
        })
        .collect()
}

/// `_since` was not a FHIR instant.
#[derive(Debug, thiserror::Error)]
#[error("_since must be a time with its zone, e.g. 2026-12-01T00:00:00Z")]
pub struct BadSince;

/// `_since`: a FHIR instant (a time with its zone). `Ok(None)` when absent.
pub fn parse_since(value: Option<&str>) -> Result<Option<OffsetDateTime>, BadSince> {
    value
        .map(|v| OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339))
        .transpose()
        .map_err(|_| BadSince)
}

/// Whether `_outputFormat` (absent: the default) asks for NDJSON.
pub fn output_format_ok(value: Option<&str>) -> bool {
    value.is_none_or(|v| NDJSON_ALIASES.contains(&v))
}

/// What a kick-off asked for: written create-only at `job_key`, read by the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportJob {
    pub id: Uuid,
    /// The records admin who asked (the only one who may read its status).
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// The kick-off request's URL, echoed in the manifest.
    pub request: String,
    pub mrns: Vec<String>,
    pub types: Vec<ResourceKind>,
    /// Replaced and detached documents too (as the caller's own DocumentReference search).
    pub include_history: bool,
    /// `_since`: only documents changed after it (added, stamped, detached or replaced, or
    /// their processing outcome recorded); every Patient is kept (demographics changes are not
    /// timed). Outcomes recorded before they were timed count as changed.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// The trust's MRN identifier system when the job was asked for (the server's setting;
    /// the worker has no FHIR settings of its own). Jobs written before it carry none.
    #[serde(default = "default_mrn_system")]
    pub mrn_system: String,
}

fn default_mrn_system() -> String {
    crate::codes::DEFAULT_MRN_SYSTEM.to_string()
}

/// One NDJSON file the worker wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputFile {
    /// The resource type its lines hold (`OperationOutcome` for the error file).
    pub resource_type: String,
    pub key: String,
    pub count: u32,
}

/// What the worker made of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportOutcome {
    #[serde(with = "time::serde::rfc3339")]
    pub transaction_time: OffsetDateTime,
    pub output: Vec<OutputFile>,
    /// An OperationOutcome NDJSON file for records that could not be exported (none: `None`).
    pub errors: Option<OutputFile>,
    /// The whole job failed (staff words): the status answers 500.
    pub failed: Option<String>,
}

/// The documents a DocumentReference search of the record returns: current ones, and with
/// `history` replaced or detached ones; newest first. The read routes and the export share it.
pub fn searchable(manifest: &Manifest, history: bool) -> Vec<&DocumentEntry> {
    let mut docs: Vec<&DocumentEntry> = manifest
        .entries()
        .filter(|d| d.status == DocumentStatus::Attached || (history && d.is_history()))
        .collect();
    docs.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    docs
}

/// One document of a patient's record as its DocumentReference (`None` when never shown).
pub fn record_document(
    patient: &chartdesk_domain::Patient,
    entry: &DocumentEntry,
) -> Option<DocumentReference> {
    let id = document_id(patient.mrn.as_str(), entry.id);
    let cx = Context {
        id: &id,
        nhs_digits: patient.nhs_number.digits(),
        servable: chartdesk_domain::may_serve(entry),
    };
    document_reference(entry, &cx)
}

/// The Bulk Data manifest the status route answers with once the job is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkManifest {
    pub transaction_time: String,
    pub request: String,
    pub requires_access_token: bool,
    pub output: Vec<ManifestFile>,
    pub error: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFile {
    #[serde(rename = "type")]
    pub type_: String,
    pub url: String,
    pub count: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_key_names_its_job_and_nothing_else_does() {
        let job = Uuid::now_v7();
        assert_eq!(job_of_key(&job_key(job)), Some(job));
        assert_eq!(job_of_key(&output_key(job, ResourceKind::Patient)), None);
        assert_eq!(job_of_key("exports/jobs/not-a-uuid.json"), None);
        assert_eq!(job_of_key(&format!("patients/10000001/{job}.json")), None);
    }

    #[test]
    fn types_default_to_both_and_unknown_ones_are_refused() {
        assert_eq!(parse_types([]), Some(ResourceKind::ALL.to_vec()));
        assert_eq!(
            parse_types(["DocumentReference"]),
            Some(vec![ResourceKind::DocumentReference])
        );
        assert_eq!(
            parse_types(["Patient,DocumentReference", "Patient"]),
            Some(ResourceKind::ALL.to_vec())
        );
        assert_eq!(parse_types(["Observation"]), None);
    }

    #[test]
    fn only_ndjson_is_offered() {
        assert!(output_format_ok(None));
        assert!(output_format_ok(Some("application/fhir+ndjson")));
        assert!(output_format_ok(Some("ndjson")));
        assert!(!output_format_ok(Some("text/csv")));
    }

    #[test]
    fn a_posted_parameters_resource_gives_its_names_and_values_in_order() {
        let body = br#"{"resourceType":"Parameters","parameter":[
            {"name":"_type","valueString":"DocumentReference"},
            {"name":"_since","valueInstant":"2026-12-01T00:00:00Z"}]}"#;
        assert_eq!(
            posted_parameters(body).unwrap(),
            [
                ("_type".to_string(), "DocumentReference".to_string()),
                ("_since".to_string(), "2026-12-01T00:00:00Z".to_string())
            ]
        );
        assert!(posted_parameters(br#"{"resourceType":"Patient"}"#).is_err());
        assert!(posted_parameters(
            br#"{"resourceType":"Parameters","parameter":[{"name":"patient","valueReference":{}}]}"#
        )
        .is_err());
        assert!(posted_parameters(b"not json").is_err());
    }
}
