//! The pool's password rules, shown to a user choosing a new password. Cognito has the final
//! word (its refusal message is shown as it comes); these rules are for guidance up front.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

/// Cognito's default policy, for profiles that do not state theirs.
impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

/// What each character rule asks for, in the words the form lists and a refusal names.
pub(crate) const UPPER_CASE: &str = "an upper-case letter";
pub(crate) const LOWER_CASE: &str = "a lower-case letter";
pub(crate) const NUMBER: &str = "a number";
pub(crate) const SYMBOL: &str = "a symbol, such as ! or #";

impl PasswordPolicy {
    /// The rules in words, one per line of the form.
    pub fn rules(&self) -> Vec<String> {
        let mut rules = vec![format!("At least {} characters", self.min_length)];
        let checks = [
            (self.require_uppercase, UPPER_CASE),
            (self.require_lowercase, LOWER_CASE),
            (self.require_numbers, NUMBER),
            (self.require_symbols, SYMBOL),
        ];
        rules.extend(
            checks
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, rule)| capitalised(rule)),
        );
        rules
    }
}

impl crate::UserPool {
    /// The pool's own password rules (DescribeUserPool), for a new-password form.
    pub async fn password_policy(&self) -> Result<PasswordPolicy, crate::AuthError> {
        let out = self
            .cognito
            .describe_user_pool()
            .user_pool_id(&self.pool_id)
            .send()
            .await
            .map_err(|e| crate::AuthError::from(chartdesk_records::store::classify(e)))?;
        let policy = out
            .user_pool()
            .and_then(|p| p.policies())
            .and_then(|p| p.password_policy());
        let defaults = PasswordPolicy::default();
        Ok(match policy {
            None => defaults,
            Some(p) => PasswordPolicy {
                min_length: p
                    .minimum_length()
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(defaults.min_length),
                require_uppercase: p.require_uppercase(),
                require_lowercase: p.require_lowercase(),
                require_numbers: p.require_numbers(),
                require_symbols: p.require_symbols(),
            },
        })
    }
}

/// A rule as a line of the list: its first letter a capital.
fn capitalised(rule: &str) -> String {
    let mut chars = rule.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_list_only_what_the_policy_requires() {
        let p = PasswordPolicy {
            min_length: 12,
            require_symbols: false,
            ..Default::default()
        };
        assert_eq!(
            p.rules(),
            [
                "At least 12 characters",
                "An upper-case letter",
                "A lower-case letter",
                "A number"
            ]
        );
    }
}
