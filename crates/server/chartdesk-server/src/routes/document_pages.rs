//! An image's page previews as the open answer lists them: the 1600 px JPEGs the processing
//! worker made (every page of a TIFF; ARCHITECTURE.md §4), each behind a presigned GET.

use chartdesk_domain::{keys, DocumentEntry, Mrn, ProcessingState};

use crate::error::{ApiError, ApiResult};
use crate::presign;
use crate::state::AppState;

/// The page previews the worker recorded, page 1 first; stops at the first page it did not
/// write (never a URL to nothing).
pub async fn page_urls(
    state: &AppState,
    mrn: &Mrn,
    entry: &DocumentEntry,
) -> ApiResult<Vec<String>> {
    let pages = entry.processing.as_ref().map_or(0, |p| p.preview_pages);
    let mut urls = Vec::new();
    for page in 1..=pages {
        let key = keys::page_optimized(mrn, entry.category, entry.id, page);
        if !entry.variants.contains(&key) {
            break;
        }
        urls.push(presign::get(state, &key).await?);
    }
    Ok(urls)
}

/// Why there is no preview of `page`: not made yet, or none to make.
pub fn no_preview(entry: &DocumentEntry, page: u32) -> ApiError {
    let preparing = entry
        .processing
        .as_ref()
        .is_some_and(|p| p.state == ProcessingState::Queued);
    ApiError::NotFound(if preparing {
        "No preview yet: the server is still preparing it".into()
    } else if page > 1 {
        format!("This document has no preview of page {page}")
    } else {
        "This document has no optimized image; open the original instead".into()
    })
}
