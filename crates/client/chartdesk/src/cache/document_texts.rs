//! The words of the documents this computer holds, as the server's worker read them (text
//! layer or OCR): the offline search finds a document by them too. Kept whether or not the
//! patient's record is kept yet (the two are saved concurrently, and whichever comes second
//! re-indexes with both); evicting or clearing the patient forgets them (`budget.rs`).

use std::collections::HashMap;

use rusqlite::params;

use super::{Cache, CacheError};

impl Cache {
    /// Keeps one document's text (replacing what was kept).
    pub async fn save_document_text(
        &self,
        mrn: &str,
        doc_id: &str,
        text: String,
    ) -> Result<(), CacheError> {
        let (mrn, doc_id) = (mrn.to_string(), doc_id.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT INTO document_texts (mrn, doc_id, text) VALUES (?1, ?2, ?3)
                 ON CONFLICT (mrn, doc_id) DO UPDATE SET text = excluded.text",
                params![mrn, doc_id, text],
            )?;
            Ok(())
        })
        .await
    }

    /// The kept texts of one patient's documents, by document id.
    pub async fn document_texts(&self, mrn: &str) -> Result<HashMap<String, String>, CacheError> {
        let mrn = mrn.to_string();
        self.run(move |c| {
            let mut statement =
                c.prepare_cached("SELECT doc_id, text FROM document_texts WHERE mrn = ?1")?;
            let rows = statement.query_map(params![mrn], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
