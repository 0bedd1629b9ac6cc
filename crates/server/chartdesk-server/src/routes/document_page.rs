//! A list's rows as answered: a page of them (limit and cursor), each with its thumbnail URL and
//! the first screen's thumbnails inline. Shared by the list and the find's first screen.

use chartdesk_api::ListedDocument;
use chartdesk_domain::{find_entry, keys, DocumentRow, Manifest, Mrn};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::presign;
use crate::state::AppState;

/// Rows a list shows before scrolling: their thumbnails come inside the answer, and the find
/// answers this many of the first blue tile.
pub const FIRST_SCREEN: usize = 12;
/// The most rows one page may ask for (the contract's).
pub const MAX_PAGE: usize = chartdesk_api::MAX_PAGE_ROWS;
/// A 320 px JPEG is a few tens of kB; anything larger goes by URL (and `plan` refuses such a
/// thumb at upload).
const INLINE_THUMBNAIL_MAX: u64 = super::upload_plan::THUMB_MAX_BYTES;

/// Which rows to answer: those after the row `after` names (a `next` given before), at most
/// `limit` of them (all without one).
#[derive(Default)]
pub struct Page<'a> {
    pub after: Option<&'a str>,
    pub limit: Option<usize>,
}

/// `rows` (newest first) cut to `page`, and the cursor for the rest (`page_of`'s rule).
pub fn cut<T>(
    rows: Vec<T>,
    id: impl Fn(&T) -> &str,
    page: &Page<'_>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    chartdesk_domain::page_of(rows, id, page.after, page.limit)
        .ok_or_else(|| ApiError::Invalid(chartdesk_domain::LIST_CHANGED.into()))
}

/// The rows as answered: thumbnail URLs for documents that may be shown, and the first
/// screen's thumbnails read (in parallel) into the answer.
pub async fn listed(
    state: &AppState,
    mrn: &Mrn,
    manifest: &Manifest,
    rows: Vec<DocumentRow>,
) -> ApiResult<Vec<ListedDocument>> {
    let mut listed = Vec::with_capacity(rows.len());
    for row in rows {
        listed.push(listed_document(state, mrn, manifest, row).await?);
    }
    inline_first_thumbnails(state, mrn, manifest, &mut listed).await;
    Ok(listed)
}

/// The first screen's thumbnails read here and sent in the list (the client then needs no
/// request per thumbnail). Best effort: a thumbnail not read keeps its URL.
async fn inline_first_thumbnails(
    state: &AppState,
    mrn: &Mrn,
    manifest: &Manifest,
    listed: &mut [ListedDocument],
) {
    use base64::Engine;
    let wanted: Vec<(usize, String)> = listed
        .iter()
        .enumerate()
        .filter(|(_, d)| d.thumbnail_url.is_some())
        .take(FIRST_SCREEN)
        .filter_map(|(i, d)| {
            let entry = find_entry(manifest, Uuid::parse_str(&d.row.id).ok()?)?;
            Some((i, keys::thumb(mrn, entry.category, entry.id)))
        })
        .collect();
    let read = futures_util::future::join_all(
        wanted
            .iter()
            .map(|(_, key)| state.store.get_small(key, INLINE_THUMBNAIL_MAX)),
    )
    .await;
    for ((i, _), bytes) in wanted.into_iter().zip(read) {
        if let Ok(Some(bytes)) = bytes {
            listed[i].thumbnail = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
    }
}

/// One row as the worker left it and, for a document that may be shown, its thumbnail URL.
async fn listed_document(
    state: &AppState,
    mrn: &Mrn,
    manifest: &Manifest,
    row: DocumentRow,
) -> ApiResult<ListedDocument> {
    let entry = Uuid::parse_str(&row.id)
        .ok()
        .and_then(|id| find_entry(manifest, id));
    let Some(entry) = entry else {
        return Ok(ListedDocument {
            row,
            thumbnail_url: None,
            thumbnail: None,
        });
    };
    let thumb = keys::thumb(mrn, entry.category, entry.id);
    let thumbnail_url = if row.can_open && entry.variants.contains(&thumb) {
        Some(presign::get(state, &thumb).await?)
    } else {
        None
    };
    Ok(ListedDocument {
        row,
        thumbnail_url,
        thumbnail: None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("r{i}")).collect()
    }

    #[test]
    fn pages_follow_their_cursor_and_give_every_row_once() {
        let rows = ids(30);
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = Page {
                after: after.as_deref(),
                limit: Some(12),
            };
            let (got, next) = cut(rows.clone(), |r| r.as_str(), &page).unwrap();
            seen.extend(got);
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, rows);
    }

    #[test]
    fn no_limit_answers_every_row_without_a_cursor_and_an_unknown_cursor_is_refused() {
        let (all, next) = cut(ids(5), |r| r.as_str(), &Page::default()).unwrap();
        assert_eq!((all.len(), next), (5, None));
        let exact = Page {
            after: None,
            limit: Some(5),
        };
        assert_eq!(cut(ids(5), |r| r.as_str(), &exact).unwrap().1, None);
        let gone = Page {
            after: Some("r99"),
            limit: Some(5),
        };
        assert!(cut(ids(5), |r| r.as_str(), &gone).is_err());
    }
}
