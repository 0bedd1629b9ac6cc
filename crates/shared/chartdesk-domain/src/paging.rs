//! Pages of a list that grows at the top (documents newest first): the one cursor rule that
//! the server's lists and the desktop's offline copy both follow.

/// The rows of `rows` after the row `after` names (all of them without it), at most `limit`
/// (all without one), and the cursor for the rest: the id of the last row given, when more
/// follow. A cursor names a row, so documents added on top meanwhile neither repeat nor shift
/// a row out of the next page. `None` when `after` names no row (the list changed).
pub fn page_of<T>(
    rows: Vec<T>,
    id: impl Fn(&T) -> &str,
    after: Option<&str>,
    limit: Option<usize>,
) -> Option<(Vec<T>, Option<String>)> {
    let start = match after {
        None => 0,
        Some(after) => rows.iter().position(|r| id(r) == after)? + 1,
    };
    let mut rest: Vec<T> = rows.into_iter().skip(start).collect();
    let Some(limit) = limit else {
        return Some((rest, None));
    };
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next = more
        .then(|| rest.last().map(|r| id(r).to_string()))
        .flatten();
    Some((rest, next))
}

/// What a page whose cursor names no row says.
pub const LIST_CHANGED: &str = "The list changed since its first page: open the category again";

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("d{i}")).collect()
    }

    #[test]
    fn pages_follow_each_other_to_the_end_without_repeating_a_row() {
        let mut after = None;
        let mut seen = Vec::new();
        loop {
            let (page, next) = page_of(ids(7), |s| s.as_str(), after.as_deref(), Some(3)).unwrap();
            seen.extend(page);
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, ids(7));
    }

    #[test]
    fn rows_added_on_top_shift_nothing_and_an_unknown_cursor_is_refused() {
        let (_, next) = page_of(ids(5), |s| s.as_str(), None, Some(2)).unwrap();
        let mut grown = vec!["new".to_string()];
        grown.extend(ids(5));
        let (page, _) = page_of(grown, |s| s.as_str(), next.as_deref(), Some(2)).unwrap();
        assert_eq!(page, ["d2", "d3"]);
        assert!(page_of(ids(5), |s| s.as_str(), Some("gone"), Some(2)).is_none());
        assert_eq!(
            page_of(ids(2), |s| s.as_str(), None, Some(2)).unwrap().1,
            None
        );
    }
}
