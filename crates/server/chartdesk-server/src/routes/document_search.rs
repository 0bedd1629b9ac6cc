//! The patient-wide search: a document matches on its file name, category or uploader, or on
//! the words of its text as the worker read it (text layer or OCR; words, prefixes, dates in
//! NHS, ISO and UK forms: `chartdesk_text`'s one matcher). Each result says where it was found.

use chartdesk_domain::{
    find_entry, keys, rows_matching, DocumentEntry, DocumentRow, Manifest, Mrn, RowPermissions,
};
use chartdesk_text::{DocumentText, Place, Query};
use futures_util::future::join_all;

use super::documents::PARALLEL_LOOKUPS;
use crate::state::AppState;

/// The most text one document's search reads (the worker caps pages; this caps the object).
const MAX_TEXT_BYTES: u64 = 8 * 1024 * 1024;

/// Matching rows, newest first, each saying where it matched ("Found in the file name",
/// "Found on page 3").
pub async fn search(
    state: &AppState,
    mrn: &Mrn,
    manifest: &Manifest,
    text: &str,
    may: RowPermissions,
) -> Vec<(DocumentRow, Option<String>)> {
    let query = Query::parse(text);
    // Every attached row, newest first (an empty search lists nothing).
    let all = rows_matching(manifest, "", may);
    let substring: Vec<String> = rows_matching(manifest, text, may)
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut found = Vec::new();
    for chunk in all.chunks(PARALLEL_LOOKUPS) {
        let places = join_all(chunk.iter().map(|row| async {
            if substring.contains(&row.id) {
                return Some("Found in the file name".to_string());
            }
            let entry = find_entry(manifest, row.id.parse().ok()?)?;
            locate(state, mrn, entry, &query).await
        }))
        .await;
        for (row, place) in chunk.iter().zip(places) {
            if let Some(place) = place {
                found.push((row.clone(), Some(place)));
            }
        }
    }
    found
}

async fn locate(
    state: &AppState,
    mrn: &Mrn,
    entry: &DocumentEntry,
    query: &Query,
) -> Option<String> {
    if query.is_empty() {
        return None;
    }
    // The words inside a document the record withholds (infected, failed, not yet checked)
    // are not its to show: it is found by its name, as its row shows it.
    let text = match entry.processing.as_ref() {
        Some(p) if p.has_text && chartdesk_domain::withheld(entry).is_none() => {
            read_text(state, mrn, entry).await
        }
        _ => None,
    };
    let fields = [
        entry.file_name.as_str(),
        entry.category.label(),
        entry.uploaded_by.as_str(),
    ];
    Some(match query.locate(&fields, text.as_ref())? {
        Place::Field(0) => "Found in the file name".to_string(),
        Place::Field(1) => "Found in the category".to_string(),
        Place::Field(_) => "Found in the uploader's name".to_string(),
        Place::Page(n) => format!("Found on page {n}"),
    })
}

/// The worker's text of one document; a missing or unreadable one is no text (logged by kind).
async fn read_text(state: &AppState, mrn: &Mrn, entry: &DocumentEntry) -> Option<DocumentText> {
    let key = keys::text(mrn, entry.category, entry.id);
    match state.store.get_small(&key, MAX_TEXT_BYTES).await {
        Ok(Some(bytes)) => serde_json::from_slice(&bytes).ok(),
        Ok(None) => None,
        Err(_) => {
            tracing::warn!(
                kind = "text_unreadable",
                "a document's text could not be read for search"
            );
            None
        }
    }
}
