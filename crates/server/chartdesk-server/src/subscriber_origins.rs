//! The trust's allow-list of FHIR subscription endpoints
//! (`CHARTDESK_FHIR_SUBSCRIBER_ORIGINS`: comma-separated origins `https://host[:port]`), read
//! with the rest of the configuration (`config.rs`). A notification carries a shared secret,
//! so it goes only where the trust said: plain HTTP only to this machine, and only when the
//! server runs against the local cloud (the tests' receivers).

use reqwest::Url;

use crate::config::ConfigError;

const SETTING: &str = "CHARTDESK_FHIR_SUBSCRIBER_ORIGINS";

#[derive(Debug, Clone, Default)]
pub struct SubscriberOrigins {
    /// Each as `Url::origin().ascii_serialization()` gives it (`https://host:port`, default
    /// ports dropped).
    origins: Vec<String>,
    /// `http://127.0.0.1:{any port}` too (the local cloud only).
    loopback: bool,
}

impl SubscriberOrigins {
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        local_cloud: bool,
    ) -> Result<Self, ConfigError> {
        let mut origins = Vec::new();
        for entry in get(SETTING).unwrap_or_default().split(',') {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let url = Url::parse(entry).map_err(|_| ConfigError::Invalid(SETTING))?;
            let bare = url.path() == "/" && url.query().is_none() && url.username().is_empty();
            if url.scheme() != "https" || !bare {
                return Err(ConfigError::Invalid(SETTING));
            }
            origins.push(url.origin().ascii_serialization());
        }
        Ok(Self {
            origins,
            loopback: local_cloud,
        })
    }

    /// Whether notifications may be sent to `endpoint` (no credentials or fragment in it).
    pub fn allows(&self, endpoint: &str) -> bool {
        let Ok(url) = Url::parse(endpoint) else {
            return false;
        };
        if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
            return false;
        }
        match url.scheme() {
            "https" => self.origins.contains(&url.origin().ascii_serialization()),
            "http" => self.loopback && url.host_str() == Some("127.0.0.1"),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(value: &str, local_cloud: bool) -> Result<SubscriberOrigins, ConfigError> {
        SubscriberOrigins::from_lookup(
            &|name| (name == SETTING).then(|| value.to_string()),
            local_cloud,
        )
    }

    #[test]
    fn only_endpoints_on_a_listed_https_origin_are_allowed() {
        let list = origins(
            "https://epr.trust.nhs.uk, https://pas.trust.nhs.uk:8443",
            false,
        )
        .unwrap();
        assert!(list.allows("https://epr.trust.nhs.uk/fhir/hook"));
        assert!(list.allows("https://epr.trust.nhs.uk:443/hook"));
        assert!(list.allows("https://pas.trust.nhs.uk:8443/hook?x=1"));
        for refused in [
            "http://epr.trust.nhs.uk/hook",
            "https://pas.trust.nhs.uk/hook",
            "https://epr.trust.nhs.uk.evil.example/hook",
            "https://user:pw@epr.trust.nhs.uk/hook",
            "http://127.0.0.1:8080/hook",
            "not a url",
        ] {
            assert!(!list.allows(refused), "{refused}");
        }
    }

    #[test]
    fn loopback_http_is_allowed_only_on_the_local_cloud() {
        assert!(origins("", true)
            .unwrap()
            .allows("http://127.0.0.1:4567/hook"));
        assert!(!origins("", true)
            .unwrap()
            .allows("http://10.0.0.1:4567/hook"));
        assert!(!origins("", false)
            .unwrap()
            .allows("http://127.0.0.1:4567/hook"));
    }

    #[test]
    fn an_allow_list_entry_that_is_not_a_bare_https_origin_stops_the_server() {
        for bad in [
            "http://epr.trust.nhs.uk",
            "https://epr.trust.nhs.uk/path",
            "epr",
        ] {
            assert!(origins(bad, false).is_err(), "{bad}");
        }
    }
}
