//! The head's amendments (`manifest_store`): newer copies of entries the immutable parts hold,
//! read in their place, so a change deep in a long record rewrites the head alone.

use chartdesk_domain::SharedEntry;

use crate::manifest_store::KnownPart;

/// Amended entries the head carries at most: some 30 KB more to every read of the head.
pub(crate) const AMENDED_ROWS: usize = 32;
/// Puts each amended entry in place of the entry with its id; false if one names no entry.
pub(crate) fn amend(documents: &mut [SharedEntry], amended: Vec<SharedEntry>) -> bool {
    let wanted = amended.len();
    let mut by_id: std::collections::HashMap<_, _> =
        amended.into_iter().map(|e| (e.id, e)).collect();
    let mut found = 0;
    for entry in documents.iter_mut() {
        if let Some(newer) = by_id.remove(&entry.id) {
            *entry = newer;
            found += 1;
        }
    }
    found == wanted
}

/// The entries of `rows` that differ from the stored part `same` holding the same entries in
/// the same places; `None` when they are not the same entries.
fn amendments<'a>(same: &[SharedEntry], rows: &'a [SharedEntry]) -> Option<Vec<&'a SharedEntry>> {
    if same.len() != rows.len() || same.iter().zip(rows).any(|(a, b)| a.id != b.id) {
        return None;
    }
    Some(
        same.iter()
            .zip(rows)
            .filter(|(a, b)| a != b)
            .map(|(_, b)| b)
            .collect(),
    )
}

/// For each chunk of sealed entries, the changes the head would carry if the part read at that
/// place were kept (none when it is unchanged); `None` where it must be written. Over the
/// head's budget, the parts with the most changes are written again, their changes folded in,
/// until the rest fit: no part's changes stay in the head at the cost of rewriting every other.
pub(crate) fn kept_parts<'a>(
    chunks: &[&'a [SharedEntry]],
    known: &[KnownPart],
) -> Vec<Option<Vec<&'a SharedEntry>>> {
    let mut kept: Vec<_> = chunks
        .iter()
        .enumerate()
        .map(|(i, rows)| {
            let (_, same) = known.get(i)?;
            // Unchanged: compared (entry by entry, the very same entry at once), not serialised
            // and hashed again (the O(N) of every write).
            if same.as_slice() == *rows {
                return Some(Vec::new());
            }
            amendments(same, rows)
        })
        .collect();
    let count = |k: &Option<Vec<&SharedEntry>>| k.as_ref().map_or(0, Vec::len);
    let mut total: usize = kept.iter().map(count).sum();
    while total > AMENDED_ROWS {
        let Some(most) = (0..kept.len()).max_by_key(|&i| count(&kept[i])) else {
            break;
        };
        total -= count(&kept[most]);
        kept[most] = None;
    }
    kept
}
