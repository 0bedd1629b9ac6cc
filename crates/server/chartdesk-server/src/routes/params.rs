//! The path parameters many routes share, declared once for the router and the OpenAPI
//! document alike.

use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// A patient's record.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RecordPath {
    /// The patient's MRN in the hospital's format: by default 6 to 12 digits (the pattern shown,
    /// `chartdesk_domain::DEFAULT_MRN_PATTERN`); a hospital may set its own
    /// (`CHARTDESK_MRN_PATTERN`), always ASCII letters and digits only.
    #[param(pattern = "^[0-9]{6,12}$", min_length = 1)]
    pub mrn: String,
}

/// One document of a patient's record.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DocumentPath {
    /// The patient's MRN in the hospital's format: by default 6 to 12 digits (the pattern shown);
    /// a hospital may set its own, always ASCII letters and digits only.
    #[param(pattern = "^[0-9]{6,12}$", min_length = 1)]
    pub mrn: String,
    /// The id the uploading client chose for the document.
    pub doc_id: Uuid,
}
