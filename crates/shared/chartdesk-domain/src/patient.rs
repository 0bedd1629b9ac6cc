//! Patient demographics as stored in `patient.json`.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Mrn, NhsNumber};

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    pub mrn: Mrn,
    pub nhs_number: NhsNumber,
    pub given_name: String,
    pub family_name: String,
    #[serde(with = "iso_date")]
    pub birth_date: Date,
    pub postcode: String,
    #[serde(default)]
    pub gender: Gender,
    #[serde(default)]
    pub flags: PatientFlags,
    /// For a superseded record: the MRN of the record it was merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Mrn>,
}

/// Administrative gender as a PAS extract gives it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

impl Gender {
    /// As the banner shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Female => "Female",
            Self::Male => "Male",
            Self::Other => "Other",
            Self::Unknown => "Not known",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "female" => Some(Self::Female),
            "male" => Some(Self::Male),
            "other" => Some(Self::Other),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }
}

/// Record flags a clinician must see in the banner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientFlags {
    /// Sensitive record: access is audited and restricted.
    #[serde(default)]
    pub restricted: bool,
    /// Merged into another record; this one is kept for history.
    #[serde(default)]
    pub superseded: bool,
}

/// Demographics are patient data: keep them out of logs.
impl std::fmt::Debug for Patient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Patient").finish_non_exhaustive()
    }
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");
