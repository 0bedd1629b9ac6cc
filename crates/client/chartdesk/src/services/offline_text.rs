//! The words of a document the user opened, kept beside it for the offline search (the
//! server's worker read them: text layer or OCR). Best effort: opening never waits on it.

use chartdesk_api::StoredText;
use uuid::Uuid;

use chartdesk_domain::Mrn;

/// The most text one document brings (the worker caps each page at 64 KiB).
const MAX_TEXT_BYTES: u64 = 8 * 1024 * 1024;

impl super::remote_documents::ServerReads<'_> {
    /// Fetches the document's text from `url` (presigned by the open that audited the view),
    /// keeps it and re-indexes the patient's offline search rows with it.
    pub(super) async fn keep_text(self, mrn: &Mrn, id: Uuid, url: &str) {
        let Some(cache) = self.app.usable_cache().await else {
            return;
        };
        let Ok(server) = self.app.records.server_or_none() else {
            return;
        };
        let Ok(bytes) = server.fetch(url, MAX_TEXT_BYTES).await else {
            tracing::warn!(
                kind = "text_unreachable",
                "a document's text was not kept offline"
            );
            return;
        };
        let Ok(text) = serde_json::from_slice::<StoredText>(&bytes) else {
            tracing::warn!(
                kind = "text_unreadable",
                "a document's text was not kept offline"
            );
            return;
        };
        let words: Vec<String> = text.pages.into_iter().map(|p| p.text).collect();
        let saved = cache
            .save_document_text(mrn.as_ref(), &id.to_string(), words.join("\n"))
            .await;
        if saved.is_err() {
            return;
        }
        if let Some((record, _)) = self.app.offline_store.record(&cache, mrn.as_ref()).await {
            self.app.offline_store.reindex(&cache, &record).await;
        }
    }
}
