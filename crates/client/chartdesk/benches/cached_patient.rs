#![allow(clippy::expect_used, clippy::unwrap_used)]
// A bench takes its settings from the bench script's environment and measures in real time.
#![allow(clippy::disallowed_methods)]
//! Issue 5 target: a cached patient with 1,000 documents opens in under 50 ms.
//! Measures the cache-first path `patients().find` takes (encrypted read, JSON parse, banner and
//! tiles, one category's rows) against its own parts in the same run. `cargo bench`.

use std::time::{Duration, Instant};

use chartdesk::cache::{new_key, Cache, CachedPatient};
use chartdesk_domain::{rows_for, PatientSummary, RowPermissions};
use chartdesk_domain::{
    Category, DocumentEntry, DocumentStatus, Manifest, Mrn, NhsNumber, Patient, PatientFlags,
    ScanStatus,
};
use chartdesk_records::PatientRecord;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::open(&dir.path().join("bench.db"), &new_key().expect("key")).expect("open");
    let mrn = Mrn::from_stored("10000001").expect("mrn");
    let patient = Patient {
        mrn: mrn.clone(),
        nhs_number: NhsNumber::parse("9434765919").expect("nhs"),
        given_name: "Amara".into(),
        family_name: "Whitfield".into(),
        birth_date: time::macros::date!(1958 - 03 - 14),
        postcode: "LS1 4AP".into(),
        gender: chartdesk_domain::Gender::Female,
        flags: PatientFlags::default(),
        superseded_by: None,
    };
    let mut manifest = Manifest::new();
    let now = time::OffsetDateTime::now_utc();
    for i in 0..1000u32 {
        manifest.add(DocumentEntry {
            id: uuid::Uuid::now_v7(),
            category: Category::ALL[i as usize % 7],
            file_name: format!("scan-{i:04}.jpg"),
            content_type: "image/jpeg".into(),
            size: 2_000_000,
            sha256: "ab".repeat(32),
            created: now - time::Duration::minutes(i64::from(i)),
            uploaded_by: "nurse.hughes".into(),
            variants: vec![format!("patients/10000001/thumb/docs/lab/{i}-320w.jpg")],
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Clean,
            status_change: None,
            processing: None,
        });
    }
    let manifest_json = serde_json::to_string(&manifest).expect("json");
    cache
        .save_patient(
            CachedPatient {
                mrn: "10000001".into(),
                nhs_number: "9434765919".into(),
                patient: serde_json::to_string(&patient).expect("json"),
                manifest: manifest_json.clone(),
                manifest_etag: Some("\"e\"".into()),
                synced_at: "2026-11-23T10:00:00Z".into(),
            },
            "2026-11-23T10:00:00Z",
        )
        .await
        .expect("save");

    let runs = 50;
    let mut open = Vec::with_capacity(runs);
    let mut parse_only = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let cached = cache
            .patient("9434765919")
            .await
            .expect("read")
            .expect("cached");
        let record = PatientRecord {
            patient: serde_json::from_str(&cached.patient).expect("patient"),
            manifest: serde_json::from_str(&cached.manifest).expect("manifest"),
            manifest_etag: cached.manifest_etag,
        };
        let summary = PatientSummary::from_record(
            &record.patient,
            &record.manifest,
            time::macros::date!(2026 - 12 - 05),
        );
        let rows = rows_for(&record.manifest, Category::Lab, RowPermissions::default());
        assert_eq!(summary.tiles.len(), 7);
        assert!(!rows.is_empty());
        open.push(started.elapsed());

        let started = Instant::now();
        let _: Manifest = serde_json::from_str(&manifest_json).expect("manifest");
        parse_only.push(started.elapsed());
    }
    report("cached patient open (1,000 documents)", &mut open);
    report("  of which: manifest JSON parse alone", &mut parse_only);
    let median = |v: &[Duration]| v[v.len() / 2];
    let ratio = median(&open).as_secs_f64() / median(&parse_only).as_secs_f64();
    println!("  open / parse-alone ratio (median): {ratio:.1}");
    assert!(
        median(&open) < Duration::from_millis(50),
        "target: under 50 ms"
    );
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} runs)",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}
