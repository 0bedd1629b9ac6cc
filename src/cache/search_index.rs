//! The offline search index: patients and their documents, found by typed word prefixes.

use rusqlite::params;

use super::{Cache, CacheError};

/// One searchable row: a patient (`doc_id` empty) or one of their documents.
#[derive(Debug, Clone)]
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
        let mrn = mrn.to_string();
        self.run(move |c| {
            let tx = c.transaction()?;
            forget_index_rows(&tx, &mrn)?;
            for row in rows {
                if row.doc_id.is_empty() {
                    tx.prepare_cached(
                        "INSERT INTO patient_search (mrn, doc_id, label, text) VALUES (?1, '', ?2, ?3)",
                    )?
                    .execute(params![mrn, row.label, row.text])?;
                    continue;
                }
                tx.prepare_cached(
                    "INSERT INTO document_search (mrn, doc_id, label, text) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![mrn, row.doc_id, row.label, row.text])?;
                tx.prepare_cached("INSERT INTO document_rows (mrn, row) VALUES (?1, ?2)")?
                    .execute(params![mrn, tx.last_insert_rowid()])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Every word typed must start a word of the row (so "whit am" finds Whitfield, Amara),
    /// patients (the one opened last first) before documents (newest first), at most `limit`.
    /// In rowid order FTS5 stops at the limit instead of ranking every match: at hospital
    /// scale a common name prefix matches thousands of rows (issue 13). A date
    /// typed as 14/03/1958 or 1958-03-14 is one word, as the index keeps it.
    pub async fn search(&self, typed: &str, limit: u32) -> Result<Vec<CachedHit>, CacheError> {
        let query: Vec<String> = search_words(typed)
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let query = query.join(" ");
        self.run(move |c| {
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
                let documents: Vec<CachedHit> = c
                    .prepare_cached(
                        "SELECT mrn, doc_id, label FROM document_search WHERE document_search MATCH ?1
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

/// A patient's rows out of both search indexes (re-indexed or evicted).
pub(super) fn forget_index_rows(tx: &rusqlite::Transaction<'_>, mrn: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM patient_search WHERE mrn = ?1", params![mrn])?;
    tx.execute(
        "DELETE FROM document_search WHERE rowid IN (SELECT row FROM document_rows WHERE mrn = ?1)",
        params![mrn],
    )?;
    tx.execute("DELETE FROM document_rows WHERE mrn = ?1", params![mrn])?;
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
mod tests {
    use super::*;
    use crate::cache::new_key;

    #[tokio::test]
    async fn typed_prefixes_find_patients_first_then_their_documents() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let row = |doc: &str, label: &str, text: &str| IndexRow {
            doc_id: doc.into(),
            label: label.into(),
            text: text.into(),
        };
        cache
            .index_patient(
                "10000001",
                vec![
                    row(
                        "",
                        "WHITFIELD, Amara",
                        "Whitfield Amara 9434765919 943 476 5919 10000001",
                    ),
                    row(
                        "d1",
                        "Lab: whitfield-bloods.pdf",
                        "lab whitfield-bloods.pdf nurse.hughes",
                    ),
                ],
            )
            .await
            .unwrap();
        cache
            .index_patient(
                "10000002",
                vec![row("", "KOWALCZYK, Tomasz", "Kowalczyk Tomasz Müller")],
            )
            .await
            .unwrap();
        let hits = cache.search("whit am", 10).await.unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].label, "WHITFIELD, Amara");
        let hits = cache.search("whit", 10).await.unwrap();
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].doc_id, "", "the patient first");
        assert_eq!(cache.search("943 476", 10).await.unwrap().len(), 1);
        assert_eq!(
            cache.search("muller", 10).await.unwrap().len(),
            1,
            "diacritics ignored"
        );
        assert!(
            cache.search("\"; DROP", 10).await.unwrap().is_empty(),
            "quotes are words"
        );
        // Re-indexing replaces, never duplicates.
        cache.index_patient("10000002", vec![]).await.unwrap();
        assert!(cache.search("kowal", 10).await.unwrap().is_empty());
    }

    #[test]
    fn a_date_typed_either_way_is_the_one_word_the_index_keeps() {
        let d = time::macros::date!(1958 - 03 - 14);
        assert_eq!(index_date(d), "19580314");
        assert_eq!(search_words("14/03/1958"), vec!["19580314"]);
        assert_eq!(search_words("4/3/1958"), vec!["19580304"]);
        assert_eq!(search_words("1958-03-14"), vec!["19580314"]);
        assert_eq!(search_words("whit 14.03.1958"), vec!["whit", "19580314"]);
        // Not dates: split into words as typed.
        assert_eq!(search_words("943 476 5919"), vec!["943", "476", "5919"]);
        assert_eq!(search_words("op-note"), vec!["op", "note"]);
    }

    #[tokio::test]
    async fn patients_come_first_then_documents_newest_first_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let row = |doc: &str, text: &str| IndexRow {
            doc_id: doc.into(),
            label: format!("label {doc}"),
            text: text.into(),
        };
        let mut rows = vec![row("", "Whitfield Amara 19580314")];
        rows.extend((0..5).map(|i| row(&format!("d{i}"), "bloods 20261101")));
        cache.index_patient("10000001", rows).await.unwrap();
        let by_birth = cache.search("14/03/1958", 10).await.unwrap();
        assert_eq!(by_birth.len(), 1);
        assert_eq!(by_birth[0].doc_id, "");
        let docs = cache.search("bloods", 3).await.unwrap();
        let ids: Vec<_> = docs.iter().map(|h| h.doc_id.as_str()).collect();
        assert_eq!(
            ids,
            ["d4", "d3", "d2"],
            "newest first, stopped at the limit"
        );
        // Re-indexing one patient leaves no rows of the old index behind.
        cache
            .index_patient("10000001", vec![row("d9", "bloods")])
            .await
            .unwrap();
        assert_eq!(cache.search("bloods", 10).await.unwrap().len(), 1);
    }
}
