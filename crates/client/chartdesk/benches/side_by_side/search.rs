//! Offline search at hospital scale (issue 13 item 4): a cache filled with `patients` patients
//! and `documents` documents through the product's own index rows, then realistic queries
//! through `Cache::search` (FTS5) against a `LIKE` scan of the same rows in a plain table.

use std::time::Instant;

use chartdesk::cache::{new_key, Cache, IndexRow};
use chartdesk::services::index_rows;
use chartdesk_domain::{
    Category, DocumentEntry, DocumentStatus, Gender, Manifest, Mrn, NhsNumber, Patient,
    PatientFlags, ScanStatus,
};
use chartdesk_records::PatientRecord;

use crate::{emit, Rng};

const FAMILY: &[&str] = &[
    "Whitfield",
    "Kowalczyk",
    "Okafor",
    "Patel",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Ahmed",
    "Ali",
    "Singh",
    "Hughes",
    "Edwards",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "Turner",
    "Morris",
    "Ward",
    "Nowak",
    "Murphy",
    "Kelly",
    "O'Brien",
    "Begum",
    "Hussain",
    "Shah",
    "Chen",
    "Nguyen",
    "Silva",
    "Müller",
    "Lopez",
    "Garcia",
];
const GIVEN: &[&str] = &[
    "Amara", "Tomasz", "Chidi", "Priya", "Oliver", "Amelia", "George", "Isla", "Harry", "Ava",
    "Noah", "Mia", "Jack", "Ivy", "Leo", "Freya", "Arthur", "Lily", "Muhammad", "Grace", "Oscar",
    "Sophia", "Charlie", "Rosie", "Jacob", "Zara", "Thomas", "Evie", "Henry", "Aisha", "Siobhan",
    "Ewan", "Nia", "Rhys", "Fatima", "Joseph", "Ella", "Daniel", "Maya", "Samuel",
];
const FILE_WORDS: &[&str] = &[
    "bloods",
    "fbc",
    "u-and-e",
    "chest-xray",
    "ct-head",
    "mri-knee",
    "ecg",
    "consent",
    "anaesthetic",
    "op-note",
    "discharge-summary",
    "wound-photo",
    "histology",
    "echo",
    "referral",
    "obs-chart",
];

/// A valid NHS number (Modulus 11) from random digits.
fn nhs_number(rng: &mut Rng) -> NhsNumber {
    loop {
        let digits: Vec<u32> = (0..9).map(|_| (rng.next_u64() % 10) as u32).collect();
        let Some(check) = chartdesk_domain::check_digit(&digits) else {
            continue;
        };
        let text: String = digits.iter().chain([&check]).map(u32::to_string).collect();
        if let Ok(n) = NhsNumber::parse(&text) {
            return n;
        }
    }
}

struct Ward {
    records: Vec<PatientRecord>,
}

fn make_ward(patients: usize, documents: usize, rng: &mut Rng) -> Ward {
    let per_patient = documents / patients.max(1);
    let now = time::OffsetDateTime::now_utc();
    let records = (0..patients)
        .map(|i| {
            let mrn = Mrn::from_stored(&format!("{}", 20_000_000 + i)).expect("mrn");
            let birth = time::Date::from_ordinal_date(
                1930 + (rng.next_u64() % 90) as i32,
                1 + (rng.next_u64() % 365) as u16,
            )
            .expect("date");
            let patient = Patient {
                mrn,
                nhs_number: nhs_number(rng),
                given_name: GIVEN[rng.pick(GIVEN.len())].into(),
                family_name: FAMILY[rng.pick(FAMILY.len())].into(),
                birth_date: birth,
                postcode: "LS1 4AP".into(),
                gender: Gender::Unknown,
                flags: PatientFlags::default(),
                superseded_by: None,
            };
            let documents: Vec<DocumentEntry> = (0..per_patient)
                .map(|d| DocumentEntry {
                    id: uuid::Uuid::now_v7(),
                    category: Category::ALL[rng.pick(7)],
                    file_name: format!("{}-{d}.pdf", FILE_WORDS[rng.pick(FILE_WORDS.len())]),
                    content_type: "application/pdf".into(),
                    size: 200_000,
                    sha256: "ab".repeat(32),
                    created: now - time::Duration::hours((rng.next_u64() % 20_000) as i64),
                    uploaded_by: "nurse.hughes".into(),
                    variants: Vec::new(),
                    stamp: None,
                    status: DocumentStatus::Attached,
                    scan_status: ScanStatus::Clean,
                    status_change: None,
                    processing: None,
                })
                .collect();
            let mut manifest = Manifest::new();
            manifest.documents = documents.into_iter().map(Into::into).collect();
            PatientRecord {
                patient,
                manifest,
                manifest_etag: None,
            }
        })
        .collect();
    Ward { records }
}

/// What staff type: name prefixes (one or two words), NHS numbers both ways, MRNs, birth
/// dates, file-name words.
fn queries(ward: &Ward, count: usize, rng: &mut Rng) -> Vec<String> {
    (0..count)
        .map(|i| {
            let p = &ward.records[rng.pick(ward.records.len())].patient;
            let prefix = |s: &str, n: usize| s.chars().take(n).collect::<String>().to_lowercase();
            match i % 8 {
                0 => prefix(&p.family_name, 4),
                1 => format!("{} {}", prefix(&p.family_name, 3), prefix(&p.given_name, 2)),
                2 => p.nhs_number.digits().to_string(),
                3 => p.nhs_number.display_form(),
                4 => p.mrn.to_string(),
                5 => p.birth_date.to_string(),
                6 => FILE_WORDS[rng.pick(FILE_WORDS.len())].to_string(),
                _ => prefix(&p.given_name, 3),
            }
        })
        .collect()
}

pub async fn run(patients: usize, documents: usize, count: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("search.db");
    let key = new_key().expect("key");
    let mut rng = Rng::new(13);
    let ward = make_ward(patients, documents, &mut rng);
    let rows: Vec<(String, Vec<IndexRow>)> = ward
        .records
        .iter()
        .map(|r| {
            (
                r.patient.mrn.to_string(),
                index_rows(r, &Default::default()),
            )
        })
        .collect();
    let cache = Cache::open(&path, &key).expect("open");
    let loaded = Instant::now();
    // The LIKE peer's copy lives in its own file, encrypted with the same key, so the cache's
    // size on disk is the product's alone.
    let plain = dir.path().join("plain.db");
    let attach = format!(
        "ATTACH DATABASE '{}' AS p KEY \"x'{}'\"; CREATE TABLE p.plain (mrn TEXT, doc_id TEXT, label TEXT, text TEXT);",
        plain.display(),
        hex::encode(key)
    );
    let plain_rows = rows.clone();
    cache
        .run(move |c| {
            c.execute_batch(&attach)?;
            let tx = c.transaction()?;
            for (mrn, rows) in &plain_rows {
                for row in rows {
                    tx.prepare_cached(
                        "INSERT INTO p.plain (mrn, doc_id, label, text) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(rusqlite::params![mrn, row.doc_id, row.label, row.text])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
        .expect("fill the LIKE peer");
    // The product's own indexing, in one transaction (the product indexes one patient per
    // transaction as they are opened; 100,000 fsyncs would only time the disk).
    let indexing = Instant::now();
    cache.index_patients(rows).await.expect("index");
    let indexed_in = indexing.elapsed().as_secs_f64();
    emit(
        "search",
        &format!("index {patients} patients / {documents} docs (one transaction)"),
        "chartdesk Cache::index_patients",
        true,
        "s",
        &[indexed_in],
        None,
    );
    eprintln!(
        "search: filled {patients} patients, {documents} documents in {:.1} s",
        loaded.elapsed().as_secs_f64()
    );
    let typed = queries(&ward, count, &mut rng);
    let mut fts = Vec::with_capacity(count);
    let mut hits = 0usize;
    for q in &typed {
        let started = Instant::now();
        hits += cache.search(q, 12).await.expect("search").len();
        fts.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    // A full scan each: at hospital scale a hundred queries are enough for its figures.
    let like_count = count.min(100);
    let mut like = Vec::with_capacity(like_count);
    for q in &typed[..like_count] {
        let words: Vec<String> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("%{w}%"))
            .collect();
        let started = Instant::now();
        cache
            .run(move |c| {
                let clause = vec!["text LIKE ?"; words.len()].join(" AND ");
                let mut statement = c.prepare(&format!(
                    "SELECT mrn, doc_id, label FROM plain WHERE {clause} ORDER BY doc_id != '' LIMIT 12"
                ))?;
                let n = statement.query_map(rusqlite::params_from_iter(words), |_| Ok(()))?.count();
                Ok(n)
            })
            .await
            .expect("like");
        like.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    eprintln!("search: {count} queries, {hits} FTS5 hits in all");
    // Which kind of query is slow, if any (the kinds cycle as `queries` makes them).
    for (kind, name) in [
        "family",
        "family given",
        "nhs",
        "nhs spaced",
        "mrn",
        "birth date",
        "file word",
        "given",
    ]
    .iter()
    .enumerate()
    {
        let mine: Vec<f64> = fts.iter().skip(kind).step_by(8).copied().collect();
        let slowest = typed
            .iter()
            .zip(&fts)
            .skip(kind)
            .step_by(8)
            .max_by(|a, b| a.1.total_cmp(b.1));
        eprintln!(
            "search:   {name:<13} p50 {:>7.2} ms  p99 {:>7.2} ms  (slowest: {:?})",
            crate::quantile(&mine, 0.5),
            crate::quantile(&mine, 0.99),
            slowest.map(|(q, _)| q)
        );
    }
    let metric =
        format!("query, {patients} patients / {documents} docs (LIKE: first {like_count})");
    emit(
        "search",
        &metric,
        "chartdesk FTS5 (Cache::search)",
        true,
        "ms",
        &fts,
        Some("p99 < 5 ms, >= 50x LIKE"),
    );
    emit(
        "search",
        &metric,
        "LIKE scan of the same rows",
        false,
        "ms",
        &like,
        None,
    );
    let p99 = crate::quantile(&fts, 0.99);
    emit(
        "search",
        &format!("{metric}, p99"),
        "chartdesk FTS5 (Cache::search)",
        true,
        "ms",
        &[p99],
        Some("< 5 ms"),
    );
    emit(
        "search",
        &format!("{metric}, p99"),
        "LIKE scan of the same rows",
        false,
        "ms",
        &[crate::quantile(&like, 0.99)],
        None,
    );
    drop(cache);
    // The cache as the app meets it: open with the key, migrations checked, first read.
    let mut opens = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let cache = Cache::open(&path, &key).expect("reopen");
        let _ = cache.search("smi", 12).await.expect("first search");
        opens.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    emit(
        "search",
        "cache open + first search at that size",
        "chartdesk cache",
        true,
        "ms",
        &opens,
        None,
    );
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    emit(
        "search",
        "cache size on disk",
        "chartdesk cache",
        true,
        "MB",
        &[size as f64 / 1e6],
        None,
    );
}
