//! The code systems and codes the resources use, in one place: identifier systems, the
//! SNOMED CT record-artifact concept for each category (README "FHIR" says where each came
//! from and which are not yet confirmed), and the UK Core extensions.

use chartdesk_domain::Category;

use crate::Coding;

pub const SNOMED: &str = "http://snomed.info/sct";
pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
/// The trust's MRN system until a trust configures its own (`FhirSettings`).
pub const DEFAULT_MRN_SYSTEM: &str = "https://fhir.trust.nhs.uk/Id/mrn";
/// Our category ids (`lab`, `ot_notes`, …) as a code system of their own.
pub const CATEGORY_SYSTEM: &str = "https://chartdesk.nhs.uk/fhir/CodeSystem/document-category";

pub const UK_CORE_PATIENT: &str = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient";
pub const UK_CORE_DOCUMENT_REFERENCE: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/UKCore-DocumentReference";
pub const NHS_NUMBER_VERIFICATION: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus";
pub const NHS_NUMBER_VERIFICATION_SYSTEM: &str =
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland";
pub const SPINE_ERROR_SYSTEM: &str = "https://fhir.nhs.uk/CodeSystem/Spine-ErrorOrWarningCode";

/// Our extensions (no UK Core equivalent): the SHA-256 of the original (R4's `hash` is SHA-1),
/// the worker's processing state and the page count.
pub const EXT_SHA256: &str = "https://chartdesk.nhs.uk/fhir/StructureDefinition/attachment-sha256";
pub const EXT_PROCESSING: &str =
    "https://chartdesk.nhs.uk/fhir/StructureDefinition/processing-state";
pub const EXT_PAGES: &str = "https://chartdesk.nhs.uk/fhir/StructureDefinition/page-count";
/// On a created DocumentReference: `valueBoolean: true` lets a preop image replace the oldest
/// of a full set (`/v1`'s `replace_oldest`), never implied.
pub const EXT_REPLACE_OLDEST: &str =
    "https://chartdesk.nhs.uk/fhir/StructureDefinition/replace-oldest";
/// A two-step upload in parts (a file over 8 MiB): one hex SHA-256 per 8 MiB part (in order), then
/// with the second POST the multipart upload's id and each part's `{number}:{ETag}`.
pub const EXT_PART_SHA256: &str = "https://chartdesk.nhs.uk/fhir/StructureDefinition/part-sha256";
pub const EXT_UPLOAD_ID: &str = "https://chartdesk.nhs.uk/fhir/StructureDefinition/upload-id";
pub const EXT_UPLOADED_PART: &str =
    "https://chartdesk.nhs.uk/fhir/StructureDefinition/uploaded-part";
/// A document's id as `/v1` knows it (the client's `doc_id`): `urn:uuid:{id}`.
pub const URI_SYSTEM: &str = "urn:ietf:rfc:3986";

/// The SNOMED CT record artifact a category's documents are typed with.
pub fn document_type(category: Category) -> Coding {
    let (code, display) = match category {
        Category::Preop => ("371530004", "Clinical consultation report"),
        Category::Lab => ("4241000179101", "Laboratory report"),
        Category::Radiology => ("4201000179104", "Imaging report"),
        Category::Intraop => ("416779005", "Anesthesia record"),
        Category::OtNotes => ("371526002", "Operative report"),
        Category::Postop => ("371532007", "Progress report"),
        Category::Discharge => ("373942005", "Discharge summary"),
    };
    Coding::new(SNOMED, code, display)
}

/// The category as our own code (the search parameter `category` matches it).
pub fn category(category: Category) -> Coding {
    Coding::new(CATEGORY_SYSTEM, category.id(), category.label())
}

/// The category a `category` search token names: `lab` or `{CATEGORY_SYSTEM}|lab`.
pub fn category_from_token(token: &str) -> Option<Category> {
    let code = match token.split_once('|') {
        Some((system, code)) if system == CATEGORY_SYSTEM || system.is_empty() => code,
        Some(_) => return None,
        None => token,
    };
    Category::from_id(code)
}

/// The category whose SNOMED type a `type` search token names: `{SNOMED}|code` or the code.
pub fn category_from_type_token(token: &str) -> Option<Category> {
    let code = match token.split_once('|') {
        Some((system, code)) if system == SNOMED || system.is_empty() => code,
        Some(_) => return None,
        None => token,
    };
    Category::ALL
        .into_iter()
        .find(|c| document_type(*c).code.as_deref() == Some(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_its_own_snomed_type() {
        let codes: std::collections::BTreeSet<_> = Category::ALL
            .into_iter()
            .map(|c| document_type(c).code)
            .collect();
        assert_eq!(codes.len(), Category::ALL.len());
    }

    #[test]
    fn a_category_token_is_read_with_or_without_its_system() {
        assert_eq!(category_from_token("lab"), Some(Category::Lab));
        let token = format!("{CATEGORY_SYSTEM}|ot_notes");
        assert_eq!(category_from_token(&token), Some(Category::OtNotes));
        assert_eq!(category_from_token("http://other|lab"), None);
    }

    #[test]
    fn a_type_token_names_the_category_of_that_snomed_type() {
        let token = format!("{SNOMED}|4241000179101");
        assert_eq!(category_from_type_token(&token), Some(Category::Lab));
        assert_eq!(
            category_from_type_token("373942005"),
            Some(Category::Discharge)
        );
        assert_eq!(category_from_type_token("12345"), None);
    }
}
