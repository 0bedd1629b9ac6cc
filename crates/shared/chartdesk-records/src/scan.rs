//! A server-side virus scanner tags originals `scan-status=clean|infected|pending`.

use chartdesk_domain::{keys, DocumentEntry, Mrn, ScanStatus};

use crate::store::{RecordStore, StoreError};

/// The scanner's verdict on the entry's original: `None` when it set no tag (the manifest's
/// value stands); an unrecognised value counts as *pending*, never clean. Callers decide what
/// a failed lookup means.
pub async fn scan_tag(
    store: &dyn RecordStore,
    mrn: &Mrn,
    entry: &DocumentEntry,
) -> Result<Option<ScanStatus>, StoreError> {
    let Some(ext) = keys::extension_for(&entry.content_type) else {
        return Ok(None);
    };
    let key = keys::original(mrn, entry.category, entry.id, ext);
    Ok(store
        .tag(&key, ScanStatus::TAG)
        .await?
        .map(|value| ScanStatus::from_tag(&value).unwrap_or(ScanStatus::Pending)))
}
