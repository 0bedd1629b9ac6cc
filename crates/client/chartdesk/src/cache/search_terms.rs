//! The search indexes' vocabulary: every distinct term they hold, as FTS5 tokenized it.
//!
//! A prefix query makes FTS5 gather the doclists of every term the prefix matches before it can
//! stop at the limit: "note" over a million documents merges "note" and "notes" (the OT notes
//! category) whole. Written as an OR of those exact terms, the same query is walked lazily in
//! rowid order and stops at the limit. Prefixes of up to three characters, which can match
//! thousands of terms, have FTS5 prefix indexes instead (both made in `schema.rs`, issue 25).

use std::collections::BTreeSet;

use rusqlite::{params, Connection, Transaction};

/// Typed words this short are answered by the indexes' own prefix indexes (`prefix = '1 2 3'`).
const PREFIX_INDEXED_CHARS: usize = 3;
/// A longer word standing for more terms than this is left a prefix query: its terms are
/// many and therefore rare (MRNs, dates), so the merge is cheap.
const MAX_EXPANSION: usize = 16;

/// The FTS5 expression for one typed word, matching exactly what `"word"*` matches.
pub(super) fn word_query(c: &Connection, word: &str) -> rusqlite::Result<String> {
    let prefix = format!("{}*", quoted(word));
    if word.chars().count() <= PREFIX_INDEXED_CHARS {
        return Ok(prefix);
    }
    let terms: Vec<String> = c
        .prepare_cached("SELECT term FROM search_terms WHERE search_terms MATCH ?1 LIMIT ?2")?
        .query_map(params![prefix, MAX_EXPANSION as i64 + 1], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    // None known (a word the tokenizer splits differently, say): the prefix query is right,
    // and cheap when little matches.
    if terms.is_empty() || terms.len() > MAX_EXPANSION {
        return Ok(prefix);
    }
    let any: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
    Ok(format!("({})", any.join(" OR ")))
}

/// A string as one FTS5 phrase.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The terms FTS5 makes of `texts`, by the indexes' own tokenizer: a scratch table in this
/// connection's temp schema, so the vocabulary can never disagree with the indexes.
pub(super) fn terms_of<'a>(
    tx: &Transaction<'_>,
    texts: impl IntoIterator<Item = &'a str>,
) -> rusqlite::Result<BTreeSet<String>> {
    // Contentless: emptied with one 'delete-all', not by re-tokenizing every row.
    tx.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch USING fts5(
             text, tokenize = 'unicode61 remove_diacritics 2', content = '', detail = none
         );
         CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch_terms
             USING fts5vocab(temp, search_scratch, 'row');",
    )?;
    tx.prepare_cached("INSERT INTO temp.search_scratch (search_scratch) VALUES ('delete-all')")?
        .execute([])?;
    for text in texts {
        tx.prepare_cached("INSERT INTO temp.search_scratch (text) VALUES (?1)")?
            .execute([text])?;
    }
    let terms = tx
        .prepare_cached("SELECT term FROM temp.search_scratch_terms")?
        .query_map([], |r| r.get(0))?
        .collect();
    terms
}

/// Adds the terms the vocabulary does not hold yet (the last `terms_of`).
pub(super) fn learn_scratch(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO search_term_list (term) SELECT term FROM temp.search_scratch_terms",
    )?
    .execute([])?;
    Ok(())
}

/// Drops the terms no row of either index holds any more: a patient who left the cache leaves
/// no name or number behind in the vocabulary.
pub(super) fn forget_unused<'a>(
    tx: &Transaction<'_>,
    candidates: impl IntoIterator<Item = &'a String>,
) -> rusqlite::Result<()> {
    for term in candidates {
        let phrase = quoted(term);
        let used = tx
            .prepare_cached("SELECT 1 FROM patient_search WHERE patient_search MATCH ?1 LIMIT 1")?
            .exists([&phrase])?
            || tx
                .prepare_cached(
                    "SELECT 1 FROM document_search WHERE document_search MATCH ?1 LIMIT 1",
                )?
                .exists([&phrase])?;
        if !used {
            tx.prepare_cached("DELETE FROM search_term_list WHERE term = ?1")?
                .execute([term])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::cache::schema::migrations()
            .to_latest(&mut c)
            .unwrap();
        c
    }

    #[test]
    fn the_vocabulary_holds_terms_as_the_index_tokenizes_them() {
        let mut c = cache_db();
        let tx = c.transaction().unwrap();
        let terms = terms_of(&tx, ["Müller op-note.pdf", "OT notes"]).unwrap();
        let expected: BTreeSet<String> = ["muller", "note", "notes", "op", "ot", "pdf"]
            .map(String::from)
            .into();
        assert_eq!(terms, expected);
        learn_scratch(&tx).unwrap();
        learn_scratch(&tx).unwrap();
        let held: i64 = tx
            .query_row("SELECT count(*) FROM search_terms", [], |r| r.get(0))
            .unwrap();
        assert_eq!(held, 6, "a term is held once, however often it is learnt");
        tx.commit().unwrap();
        assert_eq!(
            word_query(&c, "note").unwrap(),
            "(\"note\" OR \"notes\")",
            "a long prefix becomes the exact terms it stands for"
        );
        assert_eq!(
            word_query(&c, "not").unwrap(),
            "\"not\"*",
            "short: prefix index"
        );
        assert_eq!(
            word_query(&c, "mül").unwrap(),
            "\"mül\"*",
            "three characters, however many bytes"
        );
        assert_eq!(word_query(&c, "Müll").unwrap(), "(\"muller\")");
        assert_eq!(
            word_query(&c, "zzzz").unwrap(),
            "\"zzzz\"*",
            "nothing known: the prefix query"
        );
    }

    #[test]
    fn a_prefix_standing_for_many_terms_stays_a_prefix_query() {
        let mut c = cache_db();
        let tx = c.transaction().unwrap();
        let mrns: Vec<String> = (0..40).map(|i| format!("2005{i:04}")).collect();
        let terms = terms_of(&tx, mrns.iter().map(String::as_str)).unwrap();
        assert_eq!(terms.len(), 40);
        learn_scratch(&tx).unwrap();
        tx.commit().unwrap();
        assert_eq!(word_query(&c, "2005").unwrap(), "\"2005\"*");
        assert_eq!(word_query(&c, "20050039").unwrap(), "(\"20050039\")");
    }

    #[test]
    fn terms_no_row_holds_are_forgotten_and_held_ones_kept() {
        let mut c = cache_db();
        let tx = c.transaction().unwrap();
        tx.execute(
            "INSERT INTO patient_search (mrn, doc_id, label, text) VALUES ('1', '', 'l', 'whitfield')",
            [],
        )
        .unwrap();
        let terms = terms_of(&tx, ["whitfield kowalczyk"]).unwrap();
        learn_scratch(&tx).unwrap();
        forget_unused(&tx, &terms).unwrap();
        let held: Vec<String> = tx
            .prepare("SELECT term FROM search_term_list")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(held, ["whitfield"]);
        let in_index: i64 = tx
            .query_row("SELECT count(*) FROM search_terms", [], |r| r.get(0))
            .unwrap();
        assert_eq!(in_index, 1);
    }
}
