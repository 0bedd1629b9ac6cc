//! The one search matcher: every query word must match (AND), each as a whole word or the start
//! of one, ignoring case and accents; a date in the query matches that day in any written form
//! (see `dates`). Text is compared after the same normalisation on both sides: compatibility
//! decomposition, accents dropped, lowercase, split on anything not a letter or digit.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::dates::{dates_in, Date};
use crate::DocumentText;

/// Where a query matched in a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub page: u32,
}

/// Where a query matched among a document's fields and pages: the place that holds the most
/// query words, the first such on a tie (fields before pages, in the order given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The index of the field in the slice given to [`Query::locate`].
    Field(usize),
    Page(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Matches a word that starts with it.
    Word(String),
    Date(Date),
}

/// A parsed search, to match many documents with.
#[derive(Debug, Clone)]
pub struct Query {
    terms: Vec<Term>,
}

impl Query {
    pub fn parse(query: &str) -> Query {
        let mut text = normalise(query);
        let mut terms = Vec::new();
        for (span, date) in dates_in(&text) {
            terms.push(Term::Date(date));
            // Blank the date out so its parts are not also required as words.
            text.replace_range(span.clone(), &" ".repeat(span.len()));
        }
        for word in words(&text) {
            terms.push(Term::Word(word.to_string()));
        }
        let mut unique = Vec::with_capacity(terms.len());
        for term in terms {
            if !unique.contains(&term) {
                unique.push(term);
            }
        }
        Query { terms: unique }
    }

    /// True for a query with no words: it matches nothing, so the caller lists unfiltered.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn matches_field(&self, field: &str) -> bool {
        self.locate(&[field], None).is_some()
    }

    pub fn find(&self, text: &DocumentText) -> Option<Found> {
        match self.locate(&[], Some(text))? {
            Place::Page(page) => Some(Found { page }),
            Place::Field(_) => None,
        }
    }

    /// Whether every query word is found somewhere among `fields` (file name, category,
    /// uploader…) and the pages of `text`, and if so the place to show.
    pub fn locate(&self, fields: &[&str], text: Option<&DocumentText>) -> Option<Place> {
        if self.terms.is_empty() {
            return None;
        }
        let sources = fields
            .iter()
            .enumerate()
            .map(|(i, field)| (Place::Field(i), *field))
            .chain(
                text.into_iter()
                    .flat_map(|t| &t.pages)
                    .map(|p| (Place::Page(p.page), p.text.as_str())),
            );
        let mut covered = vec![false; self.terms.len()];
        let mut best: Option<(usize, Place)> = None;
        for (place, source) in sources {
            let matched = self.matched(source);
            let count = matched.iter().filter(|m| **m).count();
            if count == self.terms.len() {
                return Some(place);
            }
            for (seen, now) in covered.iter_mut().zip(&matched) {
                *seen |= *now;
            }
            if count > best.map_or(0, |(most, _)| most) {
                best = Some((count, place));
            }
        }
        if covered.iter().all(|seen| *seen) {
            best.map(|(_, place)| place)
        } else {
            None
        }
    }

    /// Which of the query's terms `source` holds.
    fn matched(&self, source: &str) -> Vec<bool> {
        let text = normalise(source);
        let has_date = self.terms.iter().any(|t| matches!(t, Term::Date(_)));
        let dates: Vec<Date> = if has_date {
            dates_in(&text).into_iter().map(|(_, d)| d).collect()
        } else {
            Vec::new()
        };
        self.terms
            .iter()
            .map(|term| match term {
                Term::Word(prefix) => words(&text).any(|w| w.starts_with(prefix.as_str())),
                Term::Date(date) => dates.contains(date),
            })
            .collect()
    }
}

/// Where `query` matches `text`: the page holding the most query words (the first such), or
/// None unless every query word is somewhere in the document.
pub fn find(text: &DocumentText, query: &str) -> Option<Found> {
    Query::parse(query).find(text)
}

/// The same matcher for a single field (a file name).
pub fn matches_field(field: &str, query: &str) -> bool {
    Query::parse(query).matches_field(field)
}

fn normalise(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PageText, TextSource};

    fn document(pages: &[&str]) -> DocumentText {
        DocumentText {
            pages: pages
                .iter()
                .zip(1..)
                .map(|(text, page)| PageText {
                    page,
                    text: text.to_string(),
                    source: TextSource::TextLayer,
                })
                .collect(),
            page_count: u32::try_from(pages.len()).unwrap(),
            truncated: false,
        }
    }

    #[test]
    fn a_word_matches_whole_or_as_the_start_of_a_word_only() {
        assert!(matches_field("Potassium result", "potassium"));
        assert!(matches_field("Potassium result", "pota"));
        assert!(
            !matches_field("Potassium result", "tassium"),
            "not mid-word"
        );
    }

    #[test]
    fn case_and_accents_are_ignored_on_both_sides() {
        assert!(matches_field("Réne ZOË", "rene zoe"));
        assert!(matches_field("Rene Zoe", "RÉNÉ"));
        assert!(
            matches_field("ﬁbrosis", "fib"),
            "a ligature reads as its letters"
        );
    }

    #[test]
    fn every_query_word_must_match() {
        assert!(matches_field("lab-report-2.pdf", "lab report"));
        assert!(!matches_field("lab-report-2.pdf", "lab xray"));
    }

    #[test]
    fn punctuation_splits_words_in_text_and_query() {
        assert!(matches_field("O'Brien_discharge(final).pdf", "brien final"));
        assert!(matches_field("discharge summary", "discharge, summary!"));
    }

    #[test]
    fn a_date_in_one_form_finds_the_others() {
        let text = document(&["Seen in clinic 03-Dec-2026 by Dr Patel"]);
        for query in ["03-Dec-2026", "2026-12-03", "03/12/2026", "3 December 2026"] {
            assert_eq!(find(&text, query), Some(Found { page: 1 }), "{query}");
        }
        assert_eq!(find(&text, "2026-12-04"), None, "another day");
    }

    #[test]
    fn a_date_query_does_not_match_its_parts_scattered_apart() {
        let text = document(&["dec 3, ref 2026"]);
        assert_eq!(find(&text, "03-Dec-2026"), None);
        assert_eq!(
            find(&text, "dec 2026"),
            Some(Found { page: 1 }),
            "as words they do"
        );
    }

    #[test]
    fn the_page_with_all_the_words_is_the_one_reported() {
        let text = document(&["Cover sheet", "Potassium 4.1", "Potassium 5.9 raised"]);
        assert_eq!(find(&text, "potassium raised"), Some(Found { page: 3 }));
        assert_eq!(
            find(&text, "potassium"),
            Some(Found { page: 2 }),
            "the first"
        );
    }

    #[test]
    fn words_spread_over_pages_match_at_the_page_holding_most() {
        let text = document(&["cover", "potassium sodium", "raised"]);
        assert_eq!(
            find(&text, "raised sodium potassium"),
            Some(Found { page: 2 })
        );
        assert_eq!(find(&text, "raised calcium"), None);
    }

    #[test]
    fn words_may_be_split_between_a_field_and_the_text() {
        let query = Query::parse("lab raised");
        let text = document(&["cover", "potassium raised"]);
        assert_eq!(
            query.locate(&["letter.pdf", "lab"], Some(&text)),
            Some(Place::Field(1)),
            "on a tie the field comes first"
        );
        assert_eq!(query.locate(&["letter.pdf"], Some(&text)), None);
        let query = Query::parse("potassium raised");
        assert_eq!(
            query.locate(&["letter.pdf", "lab"], Some(&text)),
            Some(Place::Page(2))
        );
    }

    #[test]
    fn an_empty_query_matches_nothing() {
        assert!(Query::parse(" - ,").is_empty());
        assert!(!matches_field("anything", ""));
        assert_eq!(find(&document(&["anything"]), " "), None);
    }
}
