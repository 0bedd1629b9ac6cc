//! Errors as OperationOutcome: FHIR's issue code, the Spine error code where one exists, and
//! the same words staff read elsewhere (`diagnostics`).

use serde::{Deserialize, Serialize};

use crate::codes::SPINE_ERROR_SYSTEM;
use crate::{CodeableConcept, Coding};

/// The Spine error codes (`Spine-ErrorOrWarningCode`) this API answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpineCode {
    InvalidNhsNumber,
    PatientNotFound,
    AccessDenied,
    InvalidResource,
    NoRecordFound,
    InvalidParameter,
}

impl SpineCode {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidNhsNumber => "INVALID_NHS_NUMBER",
            Self::PatientNotFound => "PATIENT_NOT_FOUND",
            Self::AccessDenied => "ACCESS_DENIED",
            Self::InvalidResource => "INVALID_RESOURCE",
            Self::NoRecordFound => "NO_RECORD_FOUND",
            Self::InvalidParameter => "INVALID_PARAMETER",
        }
    }

    fn display(self) -> &'static str {
        match self {
            Self::InvalidNhsNumber => "Invalid NHS number",
            Self::PatientNotFound => "Patient not found",
            Self::AccessDenied => "Access has been denied to process this request",
            Self::InvalidResource => "Invalid validation of resource",
            Self::NoRecordFound => "No record found",
            Self::InvalidParameter => "Invalid parameter",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
    pub resource_type: String,
    pub issue: Vec<Issue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: String,
    /// FHIR's `IssueType` (`login`, `forbidden`, `not-found`, `invalid`, …).
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<CodeableConcept>,
    pub diagnostics: String,
}

/// One error: its FHIR issue type, its Spine code if it has one, and the staff words.
pub fn outcome(issue_type: &str, spine: Option<SpineCode>, words: &str) -> OperationOutcome {
    OperationOutcome {
        resource_type: "OperationOutcome".into(),
        issue: vec![Issue {
            severity: "error".into(),
            code: issue_type.into(),
            details: spine.map(|s| {
                CodeableConcept::of(vec![Coding::new(SPINE_ERROR_SYSTEM, s.code(), s.display())])
            }),
            diagnostics: words.into(),
        }],
    }
}
