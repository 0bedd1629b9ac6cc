//! The token claims Chartdesk uses. Only ever read from a token `TokenVerifier` accepted.

use serde::Deserialize;

use chartdesk_domain::{roles_from_groups, Role};

#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    #[serde(rename = "cognito:username")]
    pub username: Option<String>,
    #[serde(rename = "cognito:groups", default)]
    pub groups: Vec<String>,
    pub exp: i64,
    pub token_use: Option<String>,
}

impl IdClaims {
    pub fn roles(&self) -> Vec<Role> {
        roles_from_groups(self.groups.iter().map(String::as_str))
    }
}

/// What the records server reads from a verified access token: who (for the audit) and which
/// groups (the roles). Never taken from a request body.
#[derive(Clone, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub username: Option<String>,
    #[serde(rename = "cognito:groups", default)]
    pub groups: Vec<String>,
    pub client_id: Option<String>,
    pub exp: i64,
    pub token_use: Option<String>,
}

impl AccessClaims {
    pub fn roles(&self) -> Vec<Role> {
        roles_from_groups(self.groups.iter().map(String::as_str))
    }

    /// The name the audit records: the username, else the subject.
    pub fn actor(&self) -> &str {
        self.username.as_deref().unwrap_or(&self.sub)
    }
}

/// Only who and which groups: a token's claims are not logged whole.
impl std::fmt::Debug for AccessClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessClaims")
            .field("username", &self.username)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> IdClaims {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn groups_become_roles() {
        let c = claims(r#"{"cognito:username":"u","cognito:groups":["clinician","x"],"exp":1}"#);
        assert_eq!(c.roles(), vec![Role::Clinician]);
        assert_eq!(c.username.as_deref(), Some("u"));
    }

    #[test]
    fn a_user_in_no_group_has_no_roles() {
        assert!(claims(r#"{"exp":1}"#).roles().is_empty());
    }
}
