//! Chartdesk's records as FHIR R4 resources, shaped for UK Core: the handful of serde structs
//! the read API answers with, and the one mapping from the domain's patient and document
//! entries. Pure: the server's `routes/fhir` reads the store, applies the rules and audits.

pub mod audit_event;
pub mod bulk;
pub mod capability;
pub mod codes;
pub mod create;
pub mod datatypes;
pub mod dates;
pub mod document_reference;
pub mod group;
pub mod ids;
pub mod outcome;
pub mod patient;
pub mod search;
pub mod subscription;
pub mod two_step;

pub use datatypes::*;

/// The media type of every answer.
pub const FHIR_JSON: &str = "application/fhir+json";
