//! The cache's schema, changed only by appending migrations (rusqlite_migration keeps the
//! version in `user_version`).

use rusqlite_migration::{Migrations, M};

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE outbox (
             doc_id         TEXT PRIMARY KEY,
             mrn            TEXT NOT NULL,
             category       TEXT NOT NULL,
             file_name      TEXT NOT NULL,
             replace_oldest INTEGER NOT NULL,
             bytes          BLOB NOT NULL,
             sha256         TEXT NOT NULL,
             queued_at      TEXT NOT NULL,
             state          TEXT NOT NULL,
             attempts       INTEGER NOT NULL DEFAULT 0,
             last_error     TEXT
         );
         CREATE TABLE patients (
             mrn            TEXT PRIMARY KEY,
             nhs_number     TEXT NOT NULL,
             patient        TEXT NOT NULL,
             manifest       TEXT NOT NULL,
             manifest_etag  TEXT,
             synced_at      TEXT NOT NULL,
             opened_at      TEXT NOT NULL,
             pinned         INTEGER NOT NULL DEFAULT 0
         );
         CREATE INDEX patients_by_nhs ON patients(nhs_number);
         CREATE TABLE audit_pending (
             key            TEXT PRIMARY KEY,
             event          TEXT NOT NULL
         );
         CREATE TABLE files (
             doc_id         TEXT PRIMARY KEY,
             mrn            TEXT NOT NULL REFERENCES patients(mrn) ON DELETE CASCADE,
             bytes          BLOB NOT NULL,
             opened_at      TEXT NOT NULL
         );",
        ),
        // Offline search over cached patients and documents (prefix queries as staff type).
        M::up(
            "CREATE VIRTUAL TABLE search USING fts5(
                 mrn UNINDEXED, doc_id UNINDEXED, label UNINDEXED, text,
                 tokenize = 'unicode61 remove_diacritics 2'
             );",
        ),
        // Multipart uploads in flight, so a restart resumes instead of starting over.
        M::up(
            "CREATE TABLE multipart (
                 key            TEXT PRIMARY KEY,
                 upload_id      TEXT NOT NULL,
                 parts          TEXT NOT NULL
             );",
        ),
        // The last failure's error code, so the window branches on it, not on its words.
        M::up("ALTER TABLE outbox ADD COLUMN last_error_code TEXT;"),
        // Search at hospital scale (issue 13): patients and documents in indexes of their own,
        // so a word common among a million documents never slows finding a patient, and
        // documents come newest first with the search stopping at the limit.
        M::up(
            "ALTER TABLE search RENAME TO patient_search;
             CREATE VIRTUAL TABLE document_search USING fts5(
                 mrn UNINDEXED, doc_id UNINDEXED, label UNINDEXED, text,
                 tokenize = 'unicode61 remove_diacritics 2'
             );
             INSERT INTO document_search (mrn, doc_id, label, text)
                 SELECT mrn, doc_id, label, text FROM patient_search WHERE doc_id != '';
             DELETE FROM patient_search WHERE doc_id != '';
             -- FTS5 has no index on mrn: which rows are whose, so re-indexing a patient
             -- deletes by rowid instead of scanning a million rows.
             CREATE TABLE document_rows (mrn TEXT NOT NULL, row INTEGER NOT NULL);
             CREATE INDEX document_rows_by_mrn ON document_rows(mrn);
             INSERT INTO document_rows (mrn, row) SELECT mrn, rowid FROM document_search;",
        ),
        // A file queued from disk is kept in 4 MiB chunks (issue 10 item 5: bounded memory);
        // `size` is its length, the inline `bytes` then empty.
        M::up(
            "CREATE TABLE outbox_chunks (
                 doc_id TEXT NOT NULL,
                 seq    INTEGER NOT NULL,
                 bytes  BLOB NOT NULL,
                 PRIMARY KEY (doc_id, seq)
             );
             ALTER TABLE outbox ADD COLUMN size INTEGER;",
        ),
        // Issue 22 item 1: document ids need not be unique across patients, so a file kept
        // under its id alone could be shown in another patient's record. Files are now kept
        // per (patient, rendition, id) with the SHA-256 checked on every read, and replaced on
        // conflict. Old rows, keyed by id alone, cannot be trusted: they go (only a cache).
        M::up(
            "DROP TABLE files;
             CREATE TABLE files (
                 mrn       TEXT NOT NULL REFERENCES patients(mrn) ON DELETE CASCADE,
                 view      TEXT NOT NULL,
                 doc_id    TEXT NOT NULL,
                 sha256    TEXT NOT NULL,
                 bytes     BLOB NOT NULL,
                 opened_at TEXT NOT NULL,
                 PRIMARY KEY (mrn, view, doc_id)
             );",
        ),
        // Issue 25 item 3: search p99 under 5 ms at 100k patients / 1M documents. A prefix
        // query makes FTS5 merge the doclists of every matching term before it can stop at
        // the limit; prefix indexes answer 1–3 characters directly, and `search_terms` (every
        // distinct term, as FTS5 tokenized it) turns a longer prefix into an OR of the few
        // exact terms it stands for, which FTS5 walks lazily. The options of an FTS5 table
        // cannot change, so both indexes are rebuilt (rows keep their order).
        M::up(
            "CREATE VIRTUAL TABLE patient_search_v2 USING fts5(
                 mrn UNINDEXED, doc_id UNINDEXED, label UNINDEXED, text,
                 tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
             );
             INSERT INTO patient_search_v2 (mrn, doc_id, label, text)
                 SELECT mrn, doc_id, label, text FROM patient_search ORDER BY rowid;
             DROP TABLE patient_search;
             ALTER TABLE patient_search_v2 RENAME TO patient_search;
             CREATE VIRTUAL TABLE document_search_v2 USING fts5(
                 mrn UNINDEXED, doc_id UNINDEXED, label UNINDEXED, text,
                 tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
             );
             INSERT INTO document_search_v2 (mrn, doc_id, label, text)
                 SELECT mrn, doc_id, label, text FROM document_search ORDER BY rowid;
             DROP TABLE document_search;
             ALTER TABLE document_search_v2 RENAME TO document_search;
             DELETE FROM document_rows;
             INSERT INTO document_rows (mrn, row) SELECT mrn, rowid FROM document_search;
             -- Which patient row is whose, as for documents: re-indexing deletes by rowid.
             CREATE TABLE patient_rows (mrn TEXT NOT NULL, row INTEGER NOT NULL);
             CREATE INDEX patient_rows_by_mrn ON patient_rows(mrn);
             INSERT INTO patient_rows (mrn, row) SELECT mrn, rowid FROM patient_search;
             -- The vocabulary: one row per distinct term, indexed by FTS5 (external content,
             -- kept in step by triggers) so a typed prefix is tokenized as the indexes were.
             CREATE TABLE search_term_list (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
             CREATE VIRTUAL TABLE search_terms USING fts5(
                 term, tokenize = 'unicode61 remove_diacritics 2', detail = none,
                 content = 'search_term_list', content_rowid = 'id'
             );
             CREATE TRIGGER search_term_learnt AFTER INSERT ON search_term_list BEGIN
                 INSERT INTO search_terms (rowid, term) VALUES (new.id, new.term);
             END;
             CREATE TRIGGER search_term_forgotten AFTER DELETE ON search_term_list BEGIN
                 INSERT INTO search_terms (search_terms, rowid, term) VALUES ('delete', old.id, old.term);
             END;
             CREATE VIRTUAL TABLE temp.patient_terms USING fts5vocab(main, patient_search, 'row');
             CREATE VIRTUAL TABLE temp.document_terms USING fts5vocab(main, document_search, 'row');
             INSERT INTO search_term_list (term)
                 SELECT term FROM temp.patient_terms UNION SELECT term FROM temp.document_terms;
             DROP TABLE temp.patient_terms;
             DROP TABLE temp.document_terms;",
        ),
        // Issue 24 item 6: the words of the documents held offline (the worker's text).
        M::up(
            "CREATE TABLE document_texts (
                 mrn    TEXT NOT NULL,
                 doc_id TEXT NOT NULL,
                 text   TEXT NOT NULL,
                 PRIMARY KEY (mrn, doc_id)
             );",
        ),
        // Issue 25 item 1: a file queued from disk is sealed in a file of its own beside the
        // cache (`sealed.rs`); its row keeps the file's key.
        M::up("ALTER TABLE outbox ADD COLUMN file_key BLOB;"),
        // What decides a document's search words changed (a withheld document is no longer
        // found by words read inside it): every kept patient's rows are rebuilt once, when the
        // store next opens (`OfflineStore::open`). Each rebuild clears its patient's mark, so a
        // crash half-way resumes. A later change to `index_rows` adds the same INSERT again.
        M::up(
            "CREATE TABLE reindex_pending (mrn TEXT PRIMARY KEY);
             INSERT INTO reindex_pending (mrn) SELECT mrn FROM patients;",
        ),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }

    #[test]
    fn a_cache_keyed_by_doc_id_alone_upgrades_dropping_its_files_but_never_the_outbox() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut c, 6).unwrap();
        c.execute_batch(
            "INSERT INTO outbox (doc_id, mrn, category, file_name, replace_oldest, bytes, sha256,
                 queued_at, state) VALUES ('q', '1', 'lab', 'a.pdf', 0, x'01', 's', 't', 'queued');
             INSERT INTO patients (mrn, nhs_number, patient, manifest, synced_at, opened_at)
                 VALUES ('1', '9', '{}', '{}', 't', 't');
             INSERT INTO files (doc_id, mrn, bytes, opened_at) VALUES ('thumb-d', '1', x'02', 't');
             INSERT INTO audit_pending (key, event) VALUES ('k', '{}');",
        )
        .unwrap();
        super::migrations().to_latest(&mut c).unwrap();
        let count = |table: &str| -> i64 {
            c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(
            count("files"),
            0,
            "old files, keyed by id alone, cannot be trusted"
        );
        assert_eq!(count("outbox"), 1);
        assert_eq!(count("audit_pending"), 1);
        assert_eq!(count("patients"), 1);
    }

    /// The one text column `sql` selects, row by row.
    fn texts(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
        c.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn every_patient_kept_before_the_withheld_rule_is_marked_for_reindexing() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut c, 10).unwrap();
        c.execute_batch(
            "INSERT INTO patients (mrn, nhs_number, patient, manifest, synced_at, opened_at)
                 VALUES ('1', '9', '{}', '{}', 't', 't'), ('2', '8', '{}', '{}', 't', 't');",
        )
        .unwrap();
        super::migrations().to_latest(&mut c).unwrap();
        let marked = texts(&c, "SELECT mrn FROM reindex_pending ORDER BY mrn");
        assert_eq!(marked, ["1", "2"]);
    }

    #[test]
    fn an_index_made_before_the_vocabulary_upgrades_with_every_row_and_term() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut c, 7).unwrap();
        c.execute_batch(
            "INSERT INTO patient_search (mrn, doc_id, label, text)
                 VALUES ('1', '', 'WHITFIELD, Amara', 'Amara Whitfield 9434765919');
             INSERT INTO document_search (mrn, doc_id, label, text)
                 VALUES ('1', 'd1', 'Lab: op-note.pdf', 'op-note.pdf OT notes');
             INSERT INTO document_rows (mrn, row) VALUES ('1', 1);",
        )
        .unwrap();
        super::migrations().to_latest(&mut c).unwrap();
        let terms = texts(&c, "SELECT term FROM search_terms ORDER BY term");
        assert_eq!(
            terms,
            [
                "9434765919",
                "amara",
                "note",
                "notes",
                "op",
                "ot",
                "pdf",
                "whitfield"
            ]
        );
        let mapped: i64 = c
            .query_row(
                "SELECT count(*) FROM patient_rows JOIN patient_search ON row = patient_search.rowid
                 WHERE patient_rows.mrn = '1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            mapped, 1,
            "the patient's row is found by MRN, for re-indexing"
        );
    }
}
