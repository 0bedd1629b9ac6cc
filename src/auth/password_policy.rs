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

impl PasswordPolicy {
    /// The rules in words, one per line of the form.
    pub fn rules(&self) -> Vec<String> {
        let mut rules = vec![format!("At least {} characters", self.min_length)];
        let checks = [
            (self.require_uppercase, "An upper-case letter"),
            (self.require_lowercase, "A lower-case letter"),
            (self.require_numbers, "A number"),
            (self.require_symbols, "A symbol, such as ! or #"),
        ];
        rules.extend(
            checks
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, r)| r.to_string()),
        );
        rules
    }
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
