//! Restricted records (break-glass): opening one needs a reason from a fixed list, plus free
//! text for "other". The records server refuses without one and audits the reason given.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakGlassReason {
    DirectCare,
    ClinicalEmergency,
    Safeguarding,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakGlassError {
    #[error("This record is restricted. Choose a reason for opening it; the access is recorded")]
    ReasonRequired,
    #[error("Say why you are opening this restricted record (a few words)")]
    DetailRequired,
    #[error("The reason given is too long (at most 500 characters)")]
    DetailTooLong,
}

/// A reason a user gave, checked: "other" needs words of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedReason {
    pub reason: BreakGlassReason,
    pub detail: String,
}

const MAX_DETAIL_CHARS: usize = 500;

impl BreakGlassReason {
    pub const ALL: [BreakGlassReason; 4] = [
        BreakGlassReason::DirectCare,
        BreakGlassReason::ClinicalEmergency,
        BreakGlassReason::Safeguarding,
        BreakGlassReason::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::DirectCare => "direct_care",
            Self::ClinicalEmergency => "clinical_emergency",
            Self::Safeguarding => "safeguarding",
            Self::Other => "other",
        }
    }

    /// What the list shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::DirectCare => "I am caring for this patient",
            Self::ClinicalEmergency => "Clinical emergency",
            Self::Safeguarding => "Safeguarding concern",
            Self::Other => "Other (say why)",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.id() == id)
    }
}

impl StatedReason {
    /// Checks a reason id and its free text (control characters removed, trimmed).
    pub fn parse(reason: Option<&str>, detail: Option<&str>) -> Result<Self, BreakGlassError> {
        let reason = reason
            .and_then(BreakGlassReason::from_id)
            .ok_or(BreakGlassError::ReasonRequired)?;
        // The access history shows these words: nothing in them may change how they display.
        let detail = crate::plain_text(detail.unwrap_or_default())
            .trim()
            .to_string();
        if detail.chars().count() > MAX_DETAIL_CHARS {
            return Err(BreakGlassError::DetailTooLong);
        }
        if reason == BreakGlassReason::Other && detail.is_empty() {
            return Err(BreakGlassError::DetailRequired);
        }
        Ok(Self { reason, detail })
    }

    /// The form the audit event keeps: `clinical_emergency: words`.
    pub fn audit_form(&self) -> String {
        if self.detail.is_empty() {
            self.reason.id().to_string()
        } else {
            format!("{}: {}", self.reason.id(), self.detail)
        }
    }
}

/// A break-glass reason as the list offers it.
#[derive(Debug, Clone, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct BreakGlassChoice {
    pub reason: BreakGlassReason,
    pub label: String,
}

pub fn break_glass_choices() -> Vec<BreakGlassChoice> {
    BreakGlassReason::ALL
        .into_iter()
        .map(|reason| BreakGlassChoice {
            reason,
            label: reason.label().to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_reason_or_an_unknown_one_is_refused() {
        assert_eq!(
            StatedReason::parse(None, None),
            Err(BreakGlassError::ReasonRequired)
        );
        assert_eq!(
            StatedReason::parse(Some("curiosity"), Some("x")),
            Err(BreakGlassError::ReasonRequired)
        );
    }

    #[test]
    fn other_needs_words_of_its_own() {
        assert_eq!(
            StatedReason::parse(Some("other"), Some("  \n ")),
            Err(BreakGlassError::DetailRequired)
        );
        let ok = StatedReason::parse(Some("other"), Some("coroner's request")).unwrap();
        assert_eq!(ok.audit_form(), "other: coroner's request");
    }

    #[test]
    fn words_that_would_display_reversed_or_hidden_are_kept_as_plain_text() {
        let r =
            StatedReason::parse(Some("other"), Some("safeguarding\u{202E}review\u{200B}")).unwrap();
        assert_eq!(r.audit_form(), "other: safeguardingreview");
        assert_eq!(
            StatedReason::parse(Some("other"), Some("\u{2066}\u{FEFF}")),
            Err(BreakGlassError::DetailRequired)
        );
    }

    #[test]
    fn a_listed_reason_stands_alone() {
        let ok = StatedReason::parse(Some("clinical_emergency"), None).unwrap();
        assert_eq!(ok.audit_form(), "clinical_emergency");
    }
}
