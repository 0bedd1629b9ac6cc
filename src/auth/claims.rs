//! Reads the claims Chartdesk needs from a Cognito ID token.
//!
//! The token arrives straight from Cognito over TLS in the same call. Signature checking
//! against the pool's JWKS is part of the authentication issue (tokens restored from the
//! keychain will need it); until then this only decodes.

use base64::Engine;
use serde::Deserialize;

use crate::domain::{roles_from_groups, Role};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClaimsError {
    #[error("the token is not a JWT")]
    Malformed,
}

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
    pub fn decode(jwt: &str) -> Result<Self, ClaimsError> {
        let mut parts = jwt.split('.');
        let (Some(_), Some(payload), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ClaimsError::Malformed);
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| ClaimsError::Malformed)?;
        serde_json::from_slice(&bytes).map_err(|_| ClaimsError::Malformed)
    }

    pub fn roles(&self) -> Vec<Role> {
        roles_from_groups(self.groups.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", enc.encode("{}"), enc.encode(payload))
    }

    #[test]
    fn groups_become_roles() {
        let t = jwt(
            r#"{"cognito:username":"u","cognito:groups":["clinician","x"],"exp":1,"token_use":"id"}"#,
        );
        let c = IdClaims::decode(&t).unwrap();
        assert_eq!(c.roles(), vec![Role::Clinician]);
        assert_eq!(c.username.as_deref(), Some("u"));
    }

    #[test]
    fn a_user_in_no_group_has_no_roles() {
        let c = IdClaims::decode(&jwt(r#"{"exp":1}"#)).unwrap();
        assert!(c.roles().is_empty());
    }

    #[test]
    fn garbage_is_malformed() {
        assert_eq!(IdClaims::decode("abc").unwrap_err(), ClaimsError::Malformed);
        assert_eq!(
            IdClaims::decode("a.b.c.d").unwrap_err(),
            ClaimsError::Malformed
        );
    }
}
