//! NHS number: 10 digits with a Modulus 11 check digit.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a typed NHS number was refused. The two messages are the ones NHS staff know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("Please supply an NHS number")]
    Empty,
    #[error("Invalid NHS number")]
    Invalid,
}

/// A validated NHS number, stored as its 10 digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

impl NhsNumber {
    /// Parses user input: spaces and dashes are allowed between digits, nothing else.
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NhsNumberError::Empty);
        }
        let mut digits = String::with_capacity(10);
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(NhsNumberError::Invalid),
            }
        }
        if digits.len() != 10 {
            return Err(NhsNumberError::Invalid);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        match check_digit(&values[..9]) {
            Some(check) if check == values[9] => Ok(Self(digits)),
            _ => Err(NhsNumberError::Invalid),
        }
    }

    /// The 10 digits with no separators, as used in storage keys.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The `943 476 5919` form shown to users.
    pub fn display_form(&self) -> String {
        format!("{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

/// Modulus 11 over the first nine digits (weights 10..2); `None` when the result is 10,
/// which no valid NHS number can have.
pub fn check_digit(first_nine: &[u32]) -> Option<u32> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        n => Some(n),
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_form())
    }
}

/// Patient identifiers stay out of logs even when a value is debug-printed by accident.
impl fmt::Debug for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NhsNumber(***)")
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = NhsNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NhsNumber> for String {
    fn from(value: NhsNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_test_numbers_are_valid() {
        for n in ["9434765919", "4010232137", "5990128088"] {
            assert!(
                NhsNumber::parse(n).is_ok(),
                "{n} is a published valid number"
            );
        }
    }

    #[test]
    fn design_list_number_630_469_5787_fails_modulus_11() {
        // An old design note listed it as valid, but its check digit computes to 0, not 7.
        assert_eq!(check_digit(&[6, 3, 0, 4, 6, 9, 5, 7, 8]), Some(0));
        assert_eq!(
            NhsNumber::parse("630 469 5787"),
            Err(NhsNumberError::Invalid)
        );
    }

    #[test]
    fn spaces_and_dashes_are_accepted_and_display_is_3_3_4() {
        let n = NhsNumber::parse(" 943-476 5919 ").unwrap();
        assert_eq!(n.digits(), "9434765919");
        assert_eq!(n.to_string(), "943 476 5919");
    }

    #[test]
    fn empty_input_asks_for_a_number() {
        assert_eq!(NhsNumber::parse("   "), Err(NhsNumberError::Empty));
        assert_eq!(
            NhsNumberError::Empty.to_string(),
            "Please supply an NHS number"
        );
    }

    #[test]
    fn wrong_length_letters_and_bad_check_digit_are_invalid() {
        for bad in [
            "943476591",
            "94347659190",
            "94347A5919",
            "9434765918",
            "943.476.5919",
        ] {
            assert_eq!(NhsNumber::parse(bad), Err(NhsNumberError::Invalid), "{bad}");
        }
        assert_eq!(NhsNumberError::Invalid.to_string(), "Invalid NHS number");
    }

    #[test]
    fn a_number_whose_check_would_be_ten_is_invalid() {
        // 123456789: sum = 10+18+24+28+30+30+28+24+18 = 210; 210 mod 11 = 1; 11-1 = 10.
        assert_eq!(check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), None);
        for last in 0..=9 {
            assert!(NhsNumber::parse(&format!("123456789{last}")).is_err());
        }
    }

    #[test]
    fn debug_output_hides_the_number() {
        let n = NhsNumber::parse("9434765919").unwrap();
        assert!(!format!("{n:?}").contains("943"));
    }
}
