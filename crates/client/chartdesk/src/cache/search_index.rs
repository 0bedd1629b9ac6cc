//! The offline search index: patients and their documents, found by typed word prefixes.

use rusqlite::{params, Transaction};

use super::{search_terms, Cache, CacheError};

/// One searchable row: a patient (`doc_id` empty) or one of their documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    pub doc_id: String,
    /// What a result shows.
    pub label: String,
    /// What is searched.
    pub text: String,
}

/// A search result.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct CachedHit {
    pub mrn: String,
    /// Empty for the patient's own row.
    pub doc_id: String,
    pub label: String,
}

impl Cache {
    /// Replaces a patient's rows in the offline search index.
    pub async fn index_patient(&self, mrn: &str, rows: Vec<IndexRow>) -> Result<(), CacheError> {
        self.index_patients(vec![(mrn.to_string(), rows)]).await
    }

    /// Replaces the rows of many patients in one transaction (a first sync, or a benchmark's
    /// fill: one fsync, not one per patient).
    pub async fn index_patients(
        &self,
        patients: Vec<(String, Vec<IndexRow>)>,
    ) -> Result<(), CacheError> {
        write_index_rows(self, patients, false).await
    }

    /// Every word typed must start a word of the row (so "whit am" finds Whitfield, Amara),
    /// patients (the one opened last first) before documents (newest first), at most `limit`.
    /// In rowid order FTS5 stops at the limit instead of ranking every match: at hospital
    /// scale a common name prefix matches thousands of rows (issue 13). A date
    /// typed as 14/03/1958 or 1958-03-14 is one word, as the index keeps it.
    pub async fn search(&self, typed: &str, limit: u32) -> Result<Vec<CachedHit>, CacheError> {
        let words = search_words(typed);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        self.run(move |c| {
            let query = words
                .iter()
                .map(|w| search_terms::word_query(c, w))
                .collect::<Result<Vec<_>, _>>()?
                .join(" AND ");
            let hit = |r: &rusqlite::Row<'_>| {
                Ok(CachedHit {
                    mrn: r.get(0)?,
                    doc_id: r.get(1)?,
                    label: r.get(2)?,
                })
            };
            let mut hits: Vec<CachedHit> = c
                .prepare_cached(
                    "SELECT mrn, doc_id, label FROM patient_search WHERE patient_search MATCH ?1
                     ORDER BY rowid DESC LIMIT ?2",
                )?
                .query_map(params![query, limit], hit)?
                .collect::<Result<_, _>>()?;
            let left = limit.saturating_sub(hits.len() as u32);
            if left > 0 {
                // A patient still to be reindexed under the current rule (a rebuild that
                // failed at open) has no document found: its rows may hold withheld words.
                let documents: Vec<CachedHit> = c
                    .prepare_cached(
                        "SELECT mrn, doc_id, label FROM document_search WHERE document_search MATCH ?1
                         AND NOT EXISTS (SELECT 1 FROM reindex_pending p
                                         WHERE p.mrn = document_search.mrn)
                         ORDER BY rowid DESC LIMIT ?2",
                    )?
                    .query_map(params![query, left], hit)?
                    .collect::<Result<_, _>>()?;
                hits.extend(documents);
            }
            Ok(hits)
        })
        .await
    }
}

/// Each patient's rows replaced in one transaction; with `only_marked`, only patients still
/// marked `reindex_pending` (`ReindexMarks::write`).
pub(super) async fn write_index_rows(
    cache: &Cache,
    patients: Vec<(String, Vec<IndexRow>)>,
    only_marked: bool,
) -> Result<(), CacheError> {
    cache
        .run(move |c| {
            let tx = c.transaction()?;
            for (mrn, rows) in &patients {
                if only_marked {
                    let marked = tx
                        .prepare_cached("SELECT 1 FROM reindex_pending WHERE mrn = ?1")?
                        .exists([mrn])?;
                    if !marked {
                        continue;
                    }
                }
                replace_index_rows(&tx, mrn, rows)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
}

/// A patient's rows replaced by `rows`, the vocabulary following: new terms learnt, terms
/// only the old rows held forgotten.
fn replace_index_rows(tx: &Transaction<'_>, mrn: &str, rows: &[IndexRow]) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM reindex_pending WHERE mrn = ?1")?
        .execute([mrn])?;
    let old = indexed_rows(tx, mrn)?;
    // A patient opened again, unchanged: nothing to write (patients before documents, as stored).
    let (patient_rows, document_rows): (Vec<&IndexRow>, Vec<&IndexRow>) =
        rows.iter().partition(|r| r.doc_id.is_empty());
    if !old.is_empty() && old.iter().eq(patient_rows.into_iter().chain(document_rows)) {
        return Ok(());
    }
    delete_index_rows(tx, mrn)?;
    for row in rows {
        let (table, map) = if row.doc_id.is_empty() {
            ("patient_search", "patient_rows")
        } else {
            ("document_search", "document_rows")
        };
        tx.prepare_cached(&format!(
            "INSERT INTO {table} (mrn, doc_id, label, text) VALUES (?1, ?2, ?3, ?4)"
        ))?
        .execute(params![mrn, row.doc_id, row.label, row.text])?;
        tx.prepare_cached(&format!("INSERT INTO {map} (mrn, row) VALUES (?1, ?2)"))?
            .execute(params![mrn, tx.last_insert_rowid()])?;
    }
    let new_terms = search_terms::terms_of(tx, rows.iter().map(|r| r.text.as_str()))?;
    search_terms::learn_scratch(tx)?;
    if !old.is_empty() {
        let old_terms = search_terms::terms_of(tx, old.iter().map(|r| r.text.as_str()))?;
        search_terms::forget_unused(tx, old_terms.difference(&new_terms))?;
    }
    Ok(())
}

/// A patient's rows out of both search indexes (evicted), and the terms only they held.
pub(super) fn forget_index_rows(tx: &Transaction<'_>, mrn: &str) -> rusqlite::Result<()> {
    replace_index_rows(tx, mrn, &[])
}

/// A patient's rows as indexed now, in the order they were written.
fn indexed_rows(tx: &Transaction<'_>, mrn: &str) -> rusqlite::Result<Vec<IndexRow>> {
    let mut indexed = Vec::new();
    for (table, map) in [
        ("patient_search", "patient_rows"),
        ("document_search", "document_rows"),
    ] {
        let rows = tx
            .prepare_cached(&format!(
                "SELECT doc_id, label, text FROM {table}
                 WHERE rowid IN (SELECT row FROM {map} WHERE mrn = ?1) ORDER BY rowid"
            ))?
            .query_map([mrn], |r| {
                Ok(IndexRow {
                    doc_id: r.get(0)?,
                    label: r.get(1)?,
                    text: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        indexed.extend(rows);
    }
    Ok(indexed)
}

fn delete_index_rows(tx: &Transaction<'_>, mrn: &str) -> rusqlite::Result<()> {
    for (table, map) in [
        ("patient_search", "patient_rows"),
        ("document_search", "document_rows"),
    ] {
        tx.prepare_cached(&format!(
            "DELETE FROM {table} WHERE rowid IN (SELECT row FROM {map} WHERE mrn = ?1)"
        ))?
        .execute([mrn])?;
        tx.prepare_cached(&format!("DELETE FROM {map} WHERE mrn = ?1"))?
            .execute([mrn])?;
    }
    Ok(())
}

/// The words of what was typed, a date (`14/03/1958`, `1958-03-14`) made one word
/// (`19580314`) as `index_date` writes it.
pub fn search_words(typed: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in typed.split_whitespace() {
        if let Some(date) = compact_date(part) {
            words.push(date);
            continue;
        }
        words.extend(
            part.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string),
        );
    }
    words
}

fn compact_date(part: &str) -> Option<String> {
    let numbers: Vec<&str> = part.split(['/', '-', '.']).collect();
    let [a, b, c] = numbers.as_slice() else {
        return None;
    };
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !(all_digits(a) && all_digits(b) && all_digits(c)) {
        return None;
    }
    let (year, month, day) = match (a.len(), c.len()) {
        (4, 1..=2) => (*a, *b, *c),
        // UK order: day, month, year.
        (1..=2, 4) => (*c, *b, *a),
        _ => return None,
    };
    (month.len() <= 2 && day.len() <= 2).then(|| format!("{year}{month:0>2}{day:0>2}"))
}

/// A date as the index keeps it: one word, so searching by birth date is one lookup.
pub fn index_date(date: time::Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests;
