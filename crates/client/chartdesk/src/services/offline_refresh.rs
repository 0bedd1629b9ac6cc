//! The offline copy after the screen (issue 25 item 2): the window's find asks for the banner,
//! the tiles and the first screen only, so the whole manifest is not on the path the user
//! waits on; a record the find showed newer than the copy is read afterwards, by
//! `update_offline_copies`, which the desktop runs once the answer is on screen.
//!
//! That later read is audited by the server as what it is, a find of the record alone (no rows
//! listed, so no count): the staff member's desktop did read the whole record, and the access
//! history's existing words ("Found the patient") say so without a new kind of event.

use tracing::warn;

use super::records_client::FoundScreen;
use super::remote_documents::ServerReads;
use super::{AppError, Services};
use chartdesk_domain::{PatientSummary, StatedReason};

impl Services {
    /// For the window: a find answers the screen alone and the record for the offline copy
    /// is read afterwards (`update_offline_copies`). Without it (the CLI, tests) one find
    /// answers both, as before.
    pub fn keeping_copies_after_the_screen(mut self) -> Self {
        self.copies_after_screen = true;
        self
    }
}

impl super::Patients<'_> {
    /// One find: banner, tiles and first screen, with the record unless the copy is kept
    /// after the screen.
    pub(super) async fn find_screen_via_server(
        self,
        query: &str,
        reason: Option<&StatedReason>,
    ) -> Result<FoundScreen, AppError> {
        self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let with_record = !self.app.copies_after_screen;
        Ok(self
            .app
            .records
            .find_screen(&token, query, reason, with_record)
            .await?)
    }

    /// After a find: the record is kept when it came with it; otherwise a copy at the
    /// version shown is marked synced and an older (or missing) one is noted for
    /// `update_offline_copies`.
    pub(super) async fn keep_found(self, found: &FoundScreen) {
        if let Some(record) = &found.record {
            self.remember_record(record).await;
            return;
        }
        let mrn = &found.summary.banner.mrn;
        let Some(cache) = self.app.usable_cache().await else {
            return;
        };
        let copy = self.app.offline_store.record(&cache, mrn).await;
        let current = copy.is_some_and(|(r, _)| r.manifest_etag.as_deref() == Some(&found.version));
        if current {
            self.app.offline_store.mark_synced(&cache, mrn).await;
        } else {
            self.app.records.note_stale_copy(mrn);
        }
    }

    /// The summary as the window shows it: the server's, with this computer's pin.
    pub(super) async fn shown_summary(self, mut summary: PatientSummary) -> PatientSummary {
        summary.pinned = match self.app.usable_cache().await {
            Some(cache) => cache.is_pinned(&summary.banner.mrn).await.unwrap_or(false),
            None => false,
        };
        summary.synced_at = None;
        summary
    }

    /// Reads the record of each patient a find showed newer than their offline copy, and
    /// keeps it. A failure leaves the copy as it was (the next open tries again). How many
    /// copies were brought up to date.
    pub async fn update_offline_copies(self) -> usize {
        let mut updated = 0;
        for mrn in self.app.records.take_stale_copies() {
            let version = self
                .app
                .cached_record(&mrn)
                .await
                .and_then(|(record, _)| record.manifest_etag);
            let reason = self.app.records.reason_for(&mrn);
            let query = format!("MRN {mrn}");
            match ServerReads::of(self.app)
                .find_via_server(&query, reason.as_ref(), version.as_deref())
                .await
            {
                Ok(Some(record)) => {
                    self.remember_record(&record).await;
                    updated += 1;
                }
                Ok(None) => {
                    if let Some(cache) = self.app.usable_cache().await {
                        self.app.offline_store.mark_synced(&cache, &mrn).await;
                    }
                    updated += 1;
                }
                Err(e) => warn!(code = ?e.code(), "the offline copy was not updated"),
            }
        }
        updated
    }
}
