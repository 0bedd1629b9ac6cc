//! The FHIR API's settings (part of `ServerConfig`, read from the same environment): the
//! trust's MRN identifier system (`CHARTDESK_FHIR_MRN_SYSTEM`), which Patient answers carry
//! and identifier tokens are read in.

use chartdesk_fhir::codes::DEFAULT_MRN_SYSTEM;

use crate::config::ConfigError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirSettings {
    /// An absolute URI (`https://…` or `urn:…`); `DEFAULT_MRN_SYSTEM` unless set.
    pub mrn_system: String,
}

impl FhirSettings {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mrn_system = match get("CHARTDESK_FHIR_MRN_SYSTEM") {
            Some(system) => {
                let system = system.trim().to_string();
                let absolute = ["https://", "http://", "urn:"]
                    .iter()
                    .any(|p| system.starts_with(p) && system.len() > p.len());
                // A `|` would split every identifier token written with it.
                if !absolute || system.contains(['|', ' ']) {
                    return Err(ConfigError::Invalid("CHARTDESK_FHIR_MRN_SYSTEM"));
                }
                system
            }
            None => DEFAULT_MRN_SYSTEM.to_string(),
        };
        Ok(Self { mrn_system })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: Option<&str>) -> Result<FhirSettings, ConfigError> {
        FhirSettings::from_lookup(&|name: &str| {
            assert_eq!(name, "CHARTDESK_FHIR_MRN_SYSTEM");
            value.map(str::to_string)
        })
    }

    #[test]
    fn the_mrn_system_is_the_default_unless_a_trust_sets_an_absolute_uri() {
        assert_eq!(with(None).unwrap().mrn_system, DEFAULT_MRN_SYSTEM);
        let trust = "https://fhir.leedsth.nhs.uk/Id/mrn";
        assert_eq!(with(Some(trust)).unwrap().mrn_system, trust);
        for bad in ["mrn", "https://", "https://x|y", "ftp://x"] {
            assert!(with(Some(bad)).is_err(), "{bad}");
        }
    }
}
