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
        self.run(move |c| {
            let tx = c.transaction()?;
            for (mrn, rows) in &patients {
                replace_index_rows(&tx, mrn, rows)?;
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

/// A patient's rows replaced by `rows`, the vocabulary following: new terms learnt, terms
/// only the old rows held forgotten.
fn replace_index_rows(tx: &Transaction<'_>, mrn: &str, rows: &[IndexRow]) -> rusqlite::Result<()> {
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

    /// The vocabulary rewrites queries for speed; what they find must not change. Every
    /// query is checked against the plain prefix query over the same rows.
    #[tokio::test]
    async fn searching_through_the_vocabulary_finds_exactly_what_prefix_queries_find() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let names = [
            "Whitfield",
            "White",
            "Müller",
            "Mulligan",
            "Notley",
            "Okafor",
        ];
        let files = ["op-note", "ot-notes", "u-and-e", "notifiable", "whiteboard"];
        let patients: Vec<(String, Vec<IndexRow>)> = (0..30)
            .map(|i| {
                let mrn = format!("{}", 20_050_000 + i);
                let mut rows = vec![IndexRow {
                    doc_id: String::new(),
                    label: format!("p{i}"),
                    text: format!("{} Amara {mrn} 1958031{}", names[i % 6], i % 10),
                }];
                rows.extend((0..4).map(|d| IndexRow {
                    doc_id: format!("d{i}-{d}"),
                    label: format!("d{i}-{d}"),
                    text: format!("{}-{d}.pdf OT notes nurse.hughes", files[(i + d) % 5]),
                }));
                (mrn, rows)
            })
            .collect();
        cache.index_patients(patients).await.unwrap();
        for typed in [
            "note",
            "notes",
            "not",
            "whit",
            "white",
            "mull",
            "müll",
            "mul",
            "op-note",
            "u-and-e",
            "2005",
            "20050007",
            "whit am",
            "okaf 19580313",
            "zzzz",
            "notif",
            "nurse.hug",
        ] {
            let words = search_words(typed);
            let prefix_query: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
            let prefix_query = prefix_query.join(" ");
            let reference = cache
                .run(move |c| {
                    let mut all = Vec::new();
                    for table in ["patient_search", "document_search"] {
                        let rows: Vec<String> = c
                            .prepare(&format!(
                                "SELECT label FROM {table} WHERE {table} MATCH ?1 ORDER BY rowid DESC"
                            ))?
                            .query_map([&prefix_query], |r| r.get(0))?
                            .collect::<Result<_, _>>()?;
                        all.extend(rows);
                    }
                    Ok(all)
                })
                .await
                .unwrap();
            let found: Vec<String> = cache
                .search(typed, 1000)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.label)
                .collect();
            assert_eq!(found, reference, "{typed:?}");
        }
        assert!(!cache.search("note", 1000).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_patient_who_leaves_the_index_leaves_no_term_behind() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db"), &new_key().unwrap()).unwrap();
        let row = |text: &str| IndexRow {
            doc_id: String::new(),
            label: "l".into(),
            text: text.into(),
        };
        cache
            .index_patient("1", vec![row("Kowalczyk Tomasz 9434765919")])
            .await
            .unwrap();
        cache
            .index_patient("2", vec![row("Whitfield Tomasz")])
            .await
            .unwrap();
        cache.index_patient("1", vec![]).await.unwrap();
        let terms = cache
            .run(|c| {
                let terms: Vec<String> = c
                    .prepare("SELECT term FROM search_term_list ORDER BY term")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                Ok(terms)
            })
            .await
            .unwrap();
        assert_eq!(
            terms,
            ["tomasz", "whitfield"],
            "only what patient 2 still holds"
        );
        assert!(cache.search("kowa", 10).await.unwrap().is_empty());
        assert_eq!(cache.search("toma", 10).await.unwrap().len(), 1);
    }
}
