//! What a user typed in the patient search box: an NHS number or an MRN.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    /// Ten digits that are an NHS number of one patient and the MRN of another: never guess.
    #[error("{} is both an NHS number and an MRN here: choose which you mean", .nhs.display_form())]
    Ambiguous { nhs: NhsNumber, mrn: Mrn },
}

/// One reading of ambiguous ten digits as the search offers it: the words on the button, and
/// the entry that searches with that reading made explicit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
pub struct SearchChoice {
    pub label: String,
    pub query: String,
}

impl QueryError {
    /// The readings staff choose between (NHS number first, the usual reading): for
    /// `Ambiguous` only, so the UI never rebuilds an NHS number's display form itself.
    pub fn choices(&self) -> Option<Vec<SearchChoice>> {
        let QueryError::Ambiguous { nhs, mrn } = self else {
            return None;
        };
        Some(vec![
            SearchChoice {
                label: format!("NHS number {}", nhs.display_form()),
                query: format!("NHS {}", nhs.digits()),
            },
            SearchChoice {
                label: format!("MRN {mrn}"),
                query: format!("MRN {mrn}"),
            },
        ])
    }
}

impl PatientQuery {
    /// Ten digits (spaces and dashes allowed) are an NHS number and must pass its check;
    /// an `MRN` prefix forces an MRN (for hospitals whose MRNs have ten digits) and an `NHS`
    /// prefix an NHS number; anything else that fits the hospital's MRN format is an MRN; the
    /// rest is an invalid NHS number. Ten bare digits may be an MRN too: see `also_an_mrn`.
    pub fn parse(input: &str, mrn_format: &MrnFormat) -> Result<Self, QueryError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NhsNumberError::Empty.into());
        }
        if let Some(rest) = strip_prefix_ignore_case(trimmed, "mrn") {
            let rest = rest.trim_start_matches([':', ' ']);
            return Ok(Self::Mrn(mrn_format.parse(rest)?));
        }
        if let Some(rest) = strip_prefix_ignore_case(trimmed, "nhs") {
            let rest = rest.trim_start_matches([':', ' ']);
            return Ok(Self::Nhs(NhsNumber::parse(rest)?));
        }
        if is_ten_bare_digits(trimmed) {
            return Ok(Self::Nhs(NhsNumber::parse(trimmed)?));
        }
        match mrn_format.parse(trimmed) {
            Ok(mrn) => Ok(Self::Mrn(mrn)),
            Err(_) => Err(NhsNumberError::Invalid.into()),
        }
    }

    /// The MRN that ten bare digits also are, where they are a valid NHS number and the
    /// hospital's MRN format admits them too (the default does): the entry is then looked up
    /// both ways and `choose_reading` decides. `None` for a prefixed entry or one reading only.
    pub fn also_an_mrn(input: &str, mrn_format: &MrnFormat) -> Option<Mrn> {
        let trimmed = input.trim();
        if !is_ten_bare_digits(trimmed) || NhsNumber::parse(trimmed).is_err() {
            return None;
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        mrn_format.parse(&digits).ok()
    }
}

/// Which record ten digits that read both ways mean, given what each lookup found: the one
/// found, or the same patient found both ways; two different patients is `Ambiguous` (the
/// user chooses, and neither record is shown). `same` tells whether two finds are one patient.
pub fn choose_reading<T>(
    nhs: &NhsNumber,
    mrn: &Mrn,
    by_nhs: Option<T>,
    by_mrn: Option<T>,
    same: impl Fn(&T, &T) -> bool,
) -> Result<Option<T>, QueryError> {
    match (by_nhs, by_mrn) {
        (Some(a), Some(b)) if !same(&a, &b) => Err(QueryError::Ambiguous {
            nhs: nhs.clone(),
            mrn: mrn.clone(),
        }),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

/// Only digits, spaces and dashes, and ten digits.
fn is_ten_bare_digits(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-'))
        && s.chars().filter(char::is_ascii_digit).count() == 10
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
    fn an_nhs_prefix_forces_an_nhs_number() {
        assert!(matches!(parse("NHS 9434765919"), Ok(PatientQuery::Nhs(_))));
        assert!(matches!(
            parse("nhs: 943 476 5919"),
            Ok(PatientQuery::Nhs(_))
        ));
        assert_eq!(
            parse("NHS 10000001"),
            Err(QueryError::Nhs(NhsNumberError::Invalid))
        );
    }

    #[test]
    fn ten_bare_digits_valid_both_ways_are_also_an_mrn_but_prefixed_entries_are_not() {
        let format = MrnFormat::default();
        let also = PatientQuery::also_an_mrn("943 476 5919", &format);
        assert_eq!(also.map(|m| m.to_string()), Some("9434765919".into()));
        assert_eq!(PatientQuery::also_an_mrn("MRN 9434765919", &format), None);
        assert_eq!(PatientQuery::also_an_mrn("NHS 9434765919", &format), None);
        assert_eq!(
            PatientQuery::also_an_mrn("943 476 5918", &format),
            None,
            "not a valid NHS number: one reading only"
        );
        let eight_digits = MrnFormat::new("^[0-9]{8}$").unwrap();
        assert_eq!(PatientQuery::also_an_mrn("9434765919", &eight_digits), None);
    }

    #[test]
    fn two_different_patients_found_both_ways_are_ambiguous_and_one_is_chosen_otherwise() {
        let nhs = NhsNumber::parse("9434765919").unwrap();
        let mrn = MrnFormat::default().parse("9434765919").unwrap();
        let same = |a: &&str, b: &&str| a == b;
        let both = choose_reading(&nhs, &mrn, Some("A"), Some("B"), same).unwrap_err();
        assert_eq!(
            both.to_string(),
            "943 476 5919 is both an NHS number and an MRN here: choose which you mean"
        );
        assert_eq!(
            choose_reading(&nhs, &mrn, Some("A"), Some("A"), same),
            Ok(Some("A"))
        );
        assert_eq!(
            choose_reading(&nhs, &mrn, None, Some("B"), same),
            Ok(Some("B"))
        );
        assert_eq!(
            choose_reading(&nhs, &mrn, Some("A"), None, same),
            Ok(Some("A"))
        );
        assert_eq!(
            choose_reading::<&str>(&nhs, &mrn, None, None, same),
            Ok(None)
        );
    }

    #[test]
    fn an_ambiguity_offers_both_readings_in_staff_words_and_other_errors_none() {
        let nhs = NhsNumber::parse("9434765919").unwrap();
        let mrn = MrnFormat::default().parse("9434765919").unwrap();
        let choices = QueryError::Ambiguous { nhs, mrn }.choices().unwrap();
        let shown: Vec<_> = choices
            .iter()
            .map(|c| (c.label.as_str(), c.query.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("NHS number 943 476 5919", "NHS 9434765919"),
                ("MRN 9434765919", "MRN 9434765919")
            ]
        );
        assert_eq!(parse("abc").unwrap_err().choices(), None);
        // Each choice's query reads one way only.
        for c in &choices {
            assert_eq!(
                PatientQuery::also_an_mrn(&c.query, &MrnFormat::default()),
                None
            );
            assert!(parse(&c.query).is_ok());
        }
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
