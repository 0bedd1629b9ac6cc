//! A registered patient as a UK Core-shaped Patient: NHS number (with its verification
//! status), the trust's MRN, name, birth date, gender and postcode.

use chartdesk_domain::Gender;
use serde::{Deserialize, Serialize};

use crate::codes::{
    NHS_NUMBER_SYSTEM, NHS_NUMBER_VERIFICATION, NHS_NUMBER_VERIFICATION_SYSTEM, UK_CORE_PATIENT,
};
use crate::{Address, CodeableConcept, Coding, Extension, HumanName, Identifier, Meta};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub resource_type: String,
    pub id: String,
    pub meta: Meta,
    pub identifier: Vec<Identifier>,
    pub name: Vec<HumanName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    pub birth_date: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<Address>,
}

/// The NHS number identifier. Records come from the trust's PAS, which traces numbers against
/// PDS: they are sent as "number present and verified" (01).
pub fn nhs_identifier(nhs_digits: &str) -> Identifier {
    let mut identifier = Identifier::new(NHS_NUMBER_SYSTEM, nhs_digits);
    identifier.extension.push(Extension {
        url: NHS_NUMBER_VERIFICATION.into(),
        value_codeable_concept: Some(CodeableConcept::of(vec![Coding::new(
            NHS_NUMBER_VERIFICATION_SYSTEM,
            "01",
            "Number present and verified",
        )])),
        ..Default::default()
    });
    identifier
}

/// `patient` as FHIR, its MRN in the trust's identifier system `mrn_system`.
pub fn patient(patient: &chartdesk_domain::Patient, mrn_system: &str) -> Patient {
    let birth_date = format!(
        "{:04}-{:02}-{:02}",
        patient.birth_date.year(),
        u8::from(patient.birth_date.month()),
        patient.birth_date.day()
    );
    let gender = match patient.gender {
        Gender::Female => Some("female"),
        Gender::Male => Some("male"),
        Gender::Other => Some("other"),
        // Not recorded: left out rather than said "unknown".
        Gender::Unknown => None,
    };
    let postcode = patient.postcode.trim();
    Patient {
        resource_type: "Patient".into(),
        id: patient.mrn.as_str().into(),
        meta: Meta {
            profile: vec![UK_CORE_PATIENT.into()],
        },
        identifier: vec![
            nhs_identifier(patient.nhs_number.digits()),
            Identifier::new(mrn_system, patient.mrn.as_str()),
        ],
        name: vec![HumanName {
            use_: Some("official".into()),
            family: Some(patient.family_name.clone()),
            given: vec![patient.given_name.clone()],
        }],
        gender: gender.map(str::to_string),
        birth_date,
        address: if postcode.is_empty() {
            Vec::new()
        } else {
            vec![Address {
                postal_code: Some(postcode.into()),
            }]
        },
    }
}
