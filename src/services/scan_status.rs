//! A server-side virus scanner tags originals `scan-status=clean|infected|pending`. The tag,
//! when present, is the truth; the manifest's value (set at upload) is the fallback.

use futures_util::future::join_all;

use super::Services;
use crate::domain::{DocumentEntry, Manifest, Mrn, ScanStatus};
use crate::records::DocumentRow;

/// Tag lookups in flight at once when listing a category.
const PARALLEL_LOOKUPS: usize = 8;

impl Services {
    /// The document's scan status: the scanner's tag if it set one, else the manifest's.
    /// A store that cannot be asked leaves the manifest's value (an open still re-checks).
    pub(super) async fn scan_status(&self, mrn: &Mrn, entry: &DocumentEntry) -> ScanStatus {
        match crate::records::scan_tag(&self.store, mrn, entry).await {
            Ok(Some(status)) => status,
            _ => entry.scan_status,
        }
    }

    /// Updates each row's scan status (and whether it may be opened) from the tags.
    pub(super) async fn apply_scan_tags(
        &self,
        mrn: &Mrn,
        manifest: &Manifest,
        rows: &mut [DocumentRow],
    ) {
        let entries: Vec<&DocumentEntry> = rows
            .iter()
            .filter_map(|r| manifest.documents.iter().find(|d| d.id.to_string() == r.id))
            .collect();
        let mut statuses: Vec<(String, ScanStatus)> = Vec::with_capacity(entries.len());
        // Chunks of concurrent lookups (a stream with borrowing closures is not `Send` enough
        // for Tauri's command futures).
        for chunk in entries.chunks(PARALLEL_LOOKUPS) {
            let looked_up = join_all(chunk.iter().map(|e| self.scan_status(mrn, e))).await;
            statuses.extend(chunk.iter().map(|e| e.id.to_string()).zip(looked_up));
        }
        for row in rows.iter_mut() {
            if let Some((_, status)) = statuses.iter().find(|(id, _)| *id == row.id) {
                row.scan_status = *status;
                row.can_open = *status != ScanStatus::Infected;
            }
        }
    }
}
