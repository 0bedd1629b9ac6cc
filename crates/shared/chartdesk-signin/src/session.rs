//! The signed-in user. Tokens live only here, in memory, and never print.

use time::OffsetDateTime;

use chartdesk_domain::{any_allows, Action, Role};

/// Cognito tokens. `Debug` is written by hand so a stray `{:?}` cannot leak them.
#[derive(Clone)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(<redacted>)")
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub roles: Vec<Role>,
    pub expires_at: OffsetDateTime,
    pub tokens: Tokens,
}

impl Session {
    pub fn may(&self, action: Action) -> bool {
        any_allows(&self.roles, action)
    }

    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        now >= self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_tokens() {
        let s = Session {
            username: "u".into(),
            roles: vec![Role::Clinician],
            expires_at: OffsetDateTime::UNIX_EPOCH,
            tokens: Tokens {
                id_token: "eyJsecret".into(),
                access_token: "eyJaccess".into(),
                refresh_token: Some("refresh".into()),
            },
        };
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("eyJ") && !shown.contains("refresh\""),
            "{shown}"
        );
    }

    #[test]
    fn permissions_follow_roles_and_expiry_uses_the_given_clock() {
        let s = Session {
            username: "u".into(),
            roles: vec![Role::WardStaff],
            expires_at: OffsetDateTime::UNIX_EPOCH + time::Duration::hours(1),
            tokens: Tokens {
                id_token: String::new(),
                access_token: String::new(),
                refresh_token: None,
            },
        };
        assert!(s.may(Action::Upload) && !s.may(Action::Stamp));
        assert!(!s.is_expired(OffsetDateTime::UNIX_EPOCH));
        assert!(s.is_expired(OffsetDateTime::UNIX_EPOCH + time::Duration::hours(2)));
    }
}
