//! What a user typed in the patient search box: an NHS number or an MRN.

use super::{Mrn, MrnError, MrnFormat, NhsNumber, NhsNumberError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientQuery {
    Nhs(NhsNumber),
    Mrn(Mrn),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Nhs(#[from] NhsNumberError),
    #[error(transparent)]
    Mrn(#[from] MrnError),
}

impl PatientQuery {
    /// Ten digits (spaces and dashes allowed) are an NHS number and must pass its check;
    /// an `MRN` prefix forces an MRN (for hospitals whose MRNs have ten digits); anything else
    /// that fits the hospital's MRN format is an MRN; the rest is an invalid NHS number.
    pub fn parse(input: &str, mrn_format: &MrnFormat) -> Result<Self, QueryError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NhsNumberError::Empty.into());
        }
        if let Some(rest) = strip_prefix_ignore_case(trimmed, "mrn") {
            let rest = rest.trim_start_matches([':', ' ']);
            return Ok(Self::Mrn(mrn_format.parse(rest)?));
        }
        let digits = trimmed.chars().filter(|c| !matches!(c, ' ' | '-')).count();
        let only_digits_and_separators = trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-'));
        if only_digits_and_separators && digits == 10 {
            return Ok(Self::Nhs(NhsNumber::parse(trimmed)?));
        }
        match mrn_format.parse(trimmed) {
            Ok(mrn) => Ok(Self::Mrn(mrn)),
            Err(_) => Err(NhsNumberError::Invalid.into()),
        }
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<PatientQuery, QueryError> {
        PatientQuery::parse(s, &MrnFormat::default())
    }

    #[test]
    fn ten_digits_are_an_nhs_number() {
        assert!(matches!(parse("943 476 5919"), Ok(PatientQuery::Nhs(_))));
        assert_eq!(
            parse("943 476 5918"),
            Err(QueryError::Nhs(NhsNumberError::Invalid))
        );
    }

    #[test]
    fn other_digit_strings_in_the_mrn_format_are_mrns() {
        assert!(matches!(parse("10000001"), Ok(PatientQuery::Mrn(_))));
        assert!(matches!(parse("MRN: 9434765918"), Ok(PatientQuery::Mrn(_))));
    }

    #[test]
    fn empty_and_garbage_give_the_nhs_messages() {
        assert_eq!(
            parse(" ").unwrap_err().to_string(),
            "Please supply an NHS number"
        );
        assert_eq!(parse("abc").unwrap_err().to_string(), "Invalid NHS number");
        assert_eq!(
            parse("12345").unwrap_err().to_string(),
            "Invalid NHS number"
        );
    }
}
