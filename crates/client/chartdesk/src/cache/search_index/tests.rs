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
