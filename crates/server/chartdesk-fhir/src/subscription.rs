//! R4 `Subscription` with the `rest-hook` channel, as a records admin registers it and as
//! it is read back (the shared secret masked: it is given once and never shown again).

use serde::{Deserialize, Serialize};

/// The header carrying the shared secret unless the caller names another.
pub const SECRET_HEADER: &str = "X-Chartdesk-Secret";
/// What a read shows in place of the secret.
pub const MASK: &str = "****";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub criteria: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub channel: Channel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Absent: an empty notification (R4), the only kind this server sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header: Vec<String>,
}

/// The one `Name: value` header of a channel, split; `None` when it is not one such header.
pub fn secret_header(channel: &Channel) -> Option<(&str, &str)> {
    let [only] = channel.header.as_slice() else {
        return None;
    };
    let (name, value) = only.split_once(':')?;
    let (name, value) = (name.trim(), value.trim());
    let token = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    (!name.is_empty() && name.chars().all(token) && !value.is_empty()).then_some((name, value))
}

/// A subscription as read back: the header's value masked.
pub fn shown(
    id: String,
    status: &str,
    reason: &str,
    criteria: String,
    error: Option<String>,
    endpoint: &str,
    header_name: &str,
) -> Subscription {
    Subscription {
        resource_type: "Subscription".into(),
        id: Some(id),
        status: status.into(),
        reason: reason.into(),
        criteria,
        error,
        channel: Channel {
            kind: "rest-hook".into(),
            endpoint: Some(endpoint.into()),
            payload: None,
            header: vec![format!("{header_name}: {MASK}")],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(header: &[&str]) -> Channel {
        Channel {
            kind: "rest-hook".into(),
            endpoint: None,
            payload: None,
            header: header.iter().map(|h| h.to_string()).collect(),
        }
    }

    #[test]
    fn the_secret_is_one_name_value_header() {
        assert_eq!(
            secret_header(&channel(&["X-Chartdesk-Secret: abc def"])),
            Some(("X-Chartdesk-Secret", "abc def"))
        );
        assert_eq!(secret_header(&channel(&[])), None);
        assert_eq!(secret_header(&channel(&["a: 1", "b: 2"])), None);
        assert_eq!(secret_header(&channel(&["no colon"])), None);
        assert_eq!(secret_header(&channel(&["Bad Name: x"])), None);
        assert_eq!(secret_header(&channel(&["X-Secret:  "])), None);
    }

    #[test]
    fn a_subscription_read_back_never_shows_its_secret() {
        let s = shown(
            "id".into(),
            "active",
            "r",
            "DocumentReference?category=lab".into(),
            None,
            "https://receiver.example/hook",
            SECRET_HEADER,
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["channel"]["header"][0], "X-Chartdesk-Secret: ****");
        assert_eq!(json["channel"]["type"], "rest-hook");
    }
}
