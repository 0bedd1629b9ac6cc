//! A FHIR `Group` of patients (type person) for `Group/{id}/$export`: stored as the MRNs only.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::NHS_NUMBER_SYSTEM;
use crate::Identifier;

pub fn group_key(id: Uuid) -> String {
    format!("fhir/groups/{id}.json")
}

/// What the bucket holds of a Group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredGroup {
    pub id: Uuid,
    pub created_by: String,
    pub mrns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub type_: String,
    pub actual: bool,
    #[serde(default)]
    pub member: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub entity: MemberEntity,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberEntity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
}

/// How a member names its patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRef {
    Mrn(String),
    Nhs(String),
}

impl MemberEntity {
    /// `Patient/{mrn}`, or an NHS-number identifier; `None` for anything else.
    pub fn patient(&self) -> Option<MemberRef> {
        if let Some(reference) = &self.reference {
            return reference
                .strip_prefix("Patient/")
                .map(|mrn| MemberRef::Mrn(mrn.to_string()));
        }
        let identifier = self.identifier.as_ref()?;
        (identifier.system.as_deref() == Some(NHS_NUMBER_SYSTEM))
            .then(|| identifier.value.clone())
            .flatten()
            .map(MemberRef::Nhs)
    }
}

/// The stored group as FHIR: members by reference to their Patient (id = MRN).
pub fn group(stored: &StoredGroup) -> Group {
    Group {
        resource_type: "Group".into(),
        id: Some(stored.id.to_string()),
        type_: "person".into(),
        actual: true,
        member: stored
            .mrns
            .iter()
            .map(|mrn| Member {
                entity: MemberEntity {
                    reference: Some(format!("Patient/{mrn}")),
                    identifier: None,
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who a member's `entity` (as JSON) names.
    fn named(json: &str) -> Option<MemberRef> {
        serde_json::from_str::<MemberEntity>(json)
            .unwrap()
            .patient()
    }

    #[test]
    fn a_member_names_its_patient_by_reference_or_by_nhs_number_only() {
        assert_eq!(
            named(r#"{"reference": "Patient/33000001"}"#),
            Some(MemberRef::Mrn("33000001".into()))
        );
        let nhs = format!(
            r#"{{"identifier": {{"system": "{NHS_NUMBER_SYSTEM}", "value": "9433000013"}}}}"#
        );
        assert_eq!(named(&nhs), Some(MemberRef::Nhs("9433000013".into())));
        assert_eq!(named(r#"{"reference": "Practitioner/1"}"#), None);
        assert_eq!(
            named(r#"{"identifier": {"system": "urn:other", "value": "1"}}"#),
            None
        );
    }
}
