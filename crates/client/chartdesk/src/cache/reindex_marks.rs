//! Patients whose search rows were written under an older indexing rule (`reindex_pending`, set
//! by a migration), and their rows written again only while the mark still stands.

use super::search_index::{write_index_rows, IndexRow};
use super::{Cache, CacheError};

/// `Cache::reindex_marks`: the marks a migration set, and the writes that clear them.
pub struct ReindexMarks<'a>(&'a Cache);

impl Cache {
    pub fn reindex_marks(&self) -> ReindexMarks<'_> {
        ReindexMarks(self)
    }
}

impl ReindexMarks<'_> {
    /// The marked patients' MRNs. Any write of a patient's rows clears its mark.
    pub async fn pending(&self) -> Result<Vec<String>, CacheError> {
        self.0
            .run(|c| {
                let mrns = c
                    .prepare("SELECT mrn FROM reindex_pending ORDER BY mrn")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                Ok(mrns)
            })
            .await
    }

    /// As `Cache::index_patients`, for the patients still marked only: one saved meanwhile (by
    /// another process of the user) was indexed by that save, from a record newer than the one
    /// these rows were made from.
    pub async fn write(&self, patients: Vec<(String, Vec<IndexRow>)>) -> Result<(), CacheError> {
        write_index_rows(self.0, patients, true).await
    }
}
