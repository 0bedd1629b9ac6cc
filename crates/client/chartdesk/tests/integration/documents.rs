//! A category's documents listed from the manifest; opening one returns the checksummed original
//! and writes an audit event; flagged or tampered files are refused.

use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::{keys, Manifest, Mrn, ScanStatus};
use chartdesk_records::store::object_store::Write;

use crate::local_cloud::{cloud, run_cli};

#[tokio::test]
async fn a_category_lists_its_documents_newest_first_and_each_opens_with_its_type() {
    let services = cloud().signed_in("dr.okafor").await;
    let rows = services.documents().list("10000001", "lab").await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].created >= rows[1].created, "newest first");
    let pdf = services
        .documents()
        .open("10000001", &rows[0].id)
        .await
        .unwrap();
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));

    let preop = services
        .documents()
        .list("10000001", "preop")
        .await
        .unwrap();
    let jpeg = services
        .documents()
        .open("10000001", &preop[0].id)
        .await
        .unwrap();
    assert_eq!(&jpeg.bytes[..3], &[0xFF, 0xD8, 0xFF]);
    assert!(services
        .documents()
        .list("10000001", "intraop")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn opening_a_document_writes_an_audit_event_without_clinical_content() {
    let services = cloud().signed_in("nurse.hughes").await;
    let rows = services
        .documents()
        .list("10000002", "ot_notes")
        .await
        .unwrap();
    services
        .documents()
        .open("10000002", &rows[0].id)
        .await
        .unwrap();
    let mut found = false;
    for event in crate::local_cloud::audit_events().await {
        if event["doc_id"] == rows[0].id.as_str() && event["actor"] == "nurse.hughes" {
            assert_eq!(event["action"], "view");
            assert_eq!(event["mrn"], "10000002");
            assert!(!event.to_string().contains("Kowalczyk"), "no patient name");
            found = true;
        }
    }
    assert!(found, "an audit event for the view");
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let services = cloud().signed_in("dr.okafor").await;
    let cases = [
        (
            services.documents().list("10000001", "../lab").await.err(),
            ApiErrorCode::InvalidInput,
        ),
        (
            services.documents().list("../../x", "lab").await.err(),
            ApiErrorCode::InvalidInput,
        ),
        (
            services
                .documents()
                .open("10000001", "not-a-uuid")
                .await
                .err(),
            ApiErrorCode::NotFound,
        ),
        (
            services
                .documents()
                .open("10000001", "0190c0de-0000-7000-8000-000000000000")
                .await
                .err(),
            ApiErrorCode::NotFound,
        ),
    ];
    for (err, code) in cases {
        assert_eq!(UiError::from(err.expect("an error")).code, code);
    }
    let visitor = cloud().signed_in("visitor.lee").await;
    let refused = visitor
        .documents()
        .list("10000001", "lab")
        .await
        .unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::Forbidden);
}

/// Patient 10000012's discharge documents are altered here (own patient, no other test reads them).
#[tokio::test]
async fn flagged_and_tampered_files_are_refused() {
    let services = cloud().signed_in("admin.byrne").await;
    let mrn = Mrn::from_stored("10000012").unwrap();
    let key = keys::manifest(&mrn);
    let stored = crate::local_cloud::cloud()
        .admin_store()
        .await
        .get_json::<Manifest>(&key)
        .await
        .unwrap()
        .unwrap();
    let mut manifest = stored.value;
    let discharge: Vec<usize> = manifest
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| d.category == chartdesk_domain::Category::Discharge)
        .map(|(i, _)| i)
        .collect();
    let (infected, tampered) = (discharge[0], discharge[1]);
    manifest.documents[infected].scan_status = ScanStatus::Infected;
    manifest.documents[tampered].sha256 = "0".repeat(64);
    let ids = (
        manifest.documents[infected].id.to_string(),
        manifest.documents[tampered].id.to_string(),
    );
    crate::local_cloud::cloud()
        .admin_store()
        .await
        .put_json(&key, &manifest, Write::IfMatch(stored.etag))
        .await
        .unwrap();

    let rows = services
        .documents()
        .list("10000012", "discharge")
        .await
        .unwrap();
    assert!(
        rows.iter().any(|r| r.id == ids.0 && !r.can_open),
        "listed, not openable"
    );
    let blocked = UiError::from(
        services
            .documents()
            .open("10000012", &ids.0)
            .await
            .unwrap_err(),
    );
    assert_eq!(blocked.code, ApiErrorCode::Infected);
    assert!(blocked.message.contains("virus scanner"));
    let corrupt = UiError::from(
        services
            .documents()
            .open("10000012", &ids.1)
            .await
            .unwrap_err(),
    );
    assert!(corrupt.message.contains("checksum"), "{}", corrupt.message);
}

#[tokio::test]
async fn cli_docs_lists_a_patients_documents_as_json() {
    let out = run_cli(
        &["docs", "--user", "dr.okafor", "--mrn", "10000001", "--json"],
        cloud().password("dr.okafor"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 7, "3 preop + 2 lab + 1 radiology + 1 discharge");
    assert_eq!(rows[0]["category"], "preop");
}

/// An entry that lost its checksum cannot be trusted: it is refused like a mismatching one.
#[tokio::test]
async fn a_document_without_a_checksum_on_record_is_refused_as_corrupted() {
    let services = cloud().signed_in("admin.byrne").await;
    crate::local_cloud::seed_patient("20000090", &[chartdesk_domain::Category::Lab]).await;
    let mrn = Mrn::from_stored("20000090").unwrap();
    let stored = crate::local_cloud::cloud()
        .admin_store()
        .await
        .get_json::<Manifest>(&keys::manifest(&mrn))
        .await
        .unwrap()
        .unwrap();
    let mut manifest = stored.value;
    manifest.documents[0].sha256.clear();
    let id = manifest.documents[0].id.to_string();
    crate::local_cloud::cloud()
        .admin_store()
        .await
        .put_json(
            &keys::manifest(&mrn),
            &manifest,
            Write::IfMatch(stored.etag),
        )
        .await
        .unwrap();
    let refused = services
        .documents()
        .open("20000090", &id)
        .await
        .unwrap_err();
    // The server refuses to hand it out: no checksum on record is as bad as a wrong one.
    assert!(
        matches!(
            &refused,
            chartdesk::AppError::Server(chartdesk::cloud::ServerError::Refused(body))
                if body.code == chartdesk_api::ApiErrorCode::Integrity
        ),
        "{refused}"
    );
    assert!(refused.to_string().contains("no checksum on record"));
}
