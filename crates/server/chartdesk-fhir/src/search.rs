//! Reading the search parameters the read API supports: an identifier token, `_count` and
//! `_offset` paging, and the paging links of a searchset.

use chartdesk_domain::{NhsNumber, NhsNumberError};

use crate::codes::NHS_NUMBER_SYSTEM;
use crate::BundleLink;

/// The page size when none is asked for, and the most one page holds.
pub const DEFAULT_COUNT: usize = 20;
pub const MAX_COUNT: usize = 100;

#[derive(Debug)]
pub enum IdentifierToken {
    Nhs(NhsNumber),
    /// A value in the trust's MRN system.
    Mrn(String),
}

#[derive(Debug)]
pub enum TokenError {
    /// The system is not one this server knows.
    UnknownSystem,
    /// An NHS number that is not one (check digit, length): the domain's words.
    InvalidNhsNumber(NhsNumberError),
}

impl From<NhsNumberError> for TokenError {
    fn from(e: NhsNumberError) -> Self {
        TokenError::InvalidNhsNumber(e)
    }
}

/// `system|value`, the system being the NHS number's or the trust's MRN system. A bare value
/// is read as an NHS number (what other systems send most).
pub fn identifier_token(token: &str, mrn_system: &str) -> Result<IdentifierToken, TokenError> {
    match token.split_once('|') {
        Some((system, value)) if system == NHS_NUMBER_SYSTEM => {
            Ok(IdentifierToken::Nhs(NhsNumber::parse(value)?))
        }
        Some((system, value)) if system == mrn_system => {
            Ok(IdentifierToken::Mrn(value.to_string()))
        }
        Some(_) => Err(TokenError::UnknownSystem),
        None => Ok(IdentifierToken::Nhs(NhsNumber::parse(token)?)),
    }
}

/// One page of a searchset: where it starts and how many it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub count: usize,
}

impl Page {
    /// From `_count` and `_offset` as sent: `None` for a value that is not a number.
    pub fn parse(count: Option<&str>, offset: Option<&str>) -> Option<Self> {
        let count = match count {
            Some(c) => c.trim().parse::<usize>().ok()?.min(MAX_COUNT),
            None => DEFAULT_COUNT,
        };
        let offset = match offset {
            Some(o) => o.trim().parse::<usize>().ok()?,
            None => 0,
        };
        Some(Self { offset, count })
    }

    /// The range of `total` matches this page shows.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(total);
        start..(start + self.count).min(total)
    }

    /// `self`, and `next`/`previous` where there is such a page, as links built by `url`
    /// (given the offset; the other parameters are the caller's).
    pub fn links(&self, total: usize, url: impl Fn(usize) -> String) -> Vec<BundleLink> {
        let link = |relation: &str, offset| BundleLink {
            relation: relation.into(),
            url: url(offset),
        };
        let mut links = vec![link("self", self.offset)];
        if self.count > 0 && self.offset + self.count < total {
            links.push(link("next", self.offset + self.count));
        }
        if self.offset > 0 {
            links.push(link("previous", self.offset.saturating_sub(self.count)));
        }
        links
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identifier_token_names_an_nhs_number_or_an_mrn() {
        let nhs = format!("{NHS_NUMBER_SYSTEM}|9434765919");
        assert!(matches!(
            identifier_token(&nhs, "urn:mrn"),
            Ok(IdentifierToken::Nhs(_))
        ));
        assert!(matches!(
            identifier_token("urn:mrn|10000001", "urn:mrn"),
            Ok(IdentifierToken::Mrn(m)) if m == "10000001"
        ));
        let bad = format!("{NHS_NUMBER_SYSTEM}|9434765918");
        assert!(matches!(
            identifier_token(&bad, "urn:mrn"),
            Err(TokenError::InvalidNhsNumber(_))
        ));
        assert!(matches!(
            identifier_token("http://other|1", "urn:mrn"),
            Err(TokenError::UnknownSystem)
        ));
    }

    #[test]
    fn pages_link_to_the_next_until_the_last() {
        let page = Page::parse(Some("2"), None).unwrap();
        assert_eq!(page.range(5), 0..2);
        let rels = |p: Page| -> Vec<String> {
            p.links(5, |o| o.to_string())
                .into_iter()
                .map(|l| l.relation)
                .collect()
        };
        assert_eq!(rels(page), ["self", "next"]);
        let last = Page::parse(Some("2"), Some("4")).unwrap();
        assert_eq!(last.range(5), 4..5);
        assert_eq!(rels(last), ["self", "previous"]);
        assert_eq!(Page::parse(Some("x"), None), None);
    }
}
