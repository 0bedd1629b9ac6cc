//! Calendar dates as staff write them, so a search for one form finds the others: NHS style
//! (`03-Dec-2026`, `3 December 2026`), ISO (`2026-12-03`) and UK numeric (`03/12/2026`,
//! day first). Two-digit years are left alone: `03/12/26` could be any century.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date {
    year: u16,
    month: u8,
    day: u8,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a constant, checked by every test that reads a date.
    #[allow(clippy::expect_used)]
    Regex::new(
        r"(?x)\b(?:
            (?P<iso_y>[0-9]{4})-(?P<iso_m>[0-9]{1,2})-(?P<iso_d>[0-9]{1,2})
          | (?P<uk_d>[0-9]{1,2})[/.-](?P<uk_m>[0-9]{1,2})[/.-](?P<uk_y>[0-9]{4})
          | (?P<nhs_d>[0-9]{1,2})(?:st|nd|rd|th)?[\s/.-]*
            (?P<nhs_m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?
              |aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)
            \.?[\s/.,-]*(?P<nhs_y>[0-9]{4})
        )\b",
    )
    .expect("the date pattern compiles")
});

/// Every valid date in `text` (lowercase, as the matcher normalises it), with where it is.
pub(crate) fn dates_in(text: &str) -> Vec<(Range<usize>, Date)> {
    DATE.captures_iter(text)
        .filter_map(|found| {
            let number = |name: &str| -> Option<u16> { found.name(name)?.as_str().parse().ok() };
            let (year, month, day) = if let Some(year) = number("iso_y") {
                (year, number("iso_m")?, number("iso_d")?)
            } else if let Some(year) = number("uk_y") {
                (year, number("uk_m")?, number("uk_d")?)
            } else {
                let name = found.name("nhs_m")?.as_str();
                let month = MONTHS.iter().position(|m| name.starts_with(m))? + 1;
                (
                    number("nhs_y")?,
                    u16::try_from(month).ok()?,
                    number("nhs_d")?,
                )
            };
            let date = Date {
                year,
                month: u8::try_from(month).ok()?,
                day: u8::try_from(day).ok()?,
            };
            let span = found.get(0)?.range();
            date.is_valid().then_some((span, date))
        })
        .collect()
}

impl Date {
    fn is_valid(&self) -> bool {
        let y = self.year;
        let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
        let days = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return false,
        };
        (1..=days).contains(&self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str) -> Vec<Date> {
        dates_in(text).into_iter().map(|(_, d)| d).collect()
    }

    const DEC_3: Date = Date {
        year: 2026,
        month: 12,
        day: 3,
    };

    #[test]
    fn nhs_iso_and_uk_numeric_forms_read_as_the_same_day() {
        for text in [
            "03-dec-2026",
            "3 dec 2026",
            "3rd december 2026",
            "03 dec. 2026",
            "2026-12-03",
            "03/12/2026",
            "3.12.2026",
        ] {
            assert_eq!(dates(text), [DEC_3], "{text}");
        }
    }

    #[test]
    fn numeric_dates_are_read_day_first() {
        assert_eq!(
            dates("04/05/2026"),
            [Date {
                year: 2026,
                month: 5,
                day: 4
            }]
        );
    }

    #[test]
    fn impossible_days_and_two_digit_years_are_not_dates() {
        assert!(dates("31/02/2026 30-feb-2024 2026-13-01 03/12/26").is_empty());
        assert_eq!(dates("29-feb-2024").len(), 1, "2024 is a leap year");
        assert!(dates("29-feb-2100").is_empty(), "2100 is not");
    }

    #[test]
    fn a_date_inside_a_longer_number_is_not_read() {
        assert!(dates("ref 1203/12/20261").is_empty());
    }

    #[test]
    fn dates_in_a_sentence_are_found_where_they_are() {
        let text = "seen 03-dec-2026, reviewed 2026-12-04";
        let found = dates_in(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].0.clone()], "03-dec-2026");
    }
}
