//! Export: chosen documents to one ZIP with a manifest CSV; names made unique; audited.

use std::io::Read;

use chartdesk::services::{ExportSelection, Upload};
use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_sandbox::{demo_jpeg, demo_pdf};

use crate::local_cloud::cloud;
use crate::upload::patient;

#[tokio::test]
async fn an_export_zip_holds_the_chosen_files_with_unique_names_and_a_csv_and_is_audited() {
    let ward = cloud().signed_in("nurse.hughes").await;
    patient("30000011").await;
    let pdf_a = demo_pdf("Lab", "first");
    let pdf_b = demo_pdf("Lab", "second");
    let jpeg = demo_jpeg(9);
    let a = ward
        .documents()
        .upload(Upload::new("30000011", "lab", "report.pdf", pdf_a.clone()))
        .await
        .unwrap();
    let b = ward
        .documents()
        .upload(Upload::new("30000011", "lab", "report.pdf", pdf_b.clone()))
        .await
        .unwrap();
    let c = ward
        .documents()
        .upload(Upload::new(
            "30000011",
            "radiology",
            "chest.jpg",
            jpeg.clone(),
        ))
        .await
        .unwrap();
    // Nothing is exported before the virus scanner found it clean.
    for row in [&a, &b, &c] {
        cloud().processed("30000011", &row.id).await;
    }

    let clinician = cloud().signed_in("dr.okafor").await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("for-gp.zip");
    let selection = ExportSelection {
        doc_ids: vec![a.id.clone(), b.id.clone()],
        categories: vec!["radiology".into()],
    };
    let summary = clinician
        .documents()
        .export("30000011", &selection, target.clone())
        .await
        .unwrap();
    assert_eq!(summary.files, 3);

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&target).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(str::to_string).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "lab/report (1).pdf",
            "lab/report.pdf",
            "manifest.csv",
            "radiology/chest.jpg"
        ]
    );
    let read = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut out = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut out).unwrap();
        out
    };
    // Oldest first within a category, so the first upload keeps the plain name.
    assert_eq!(read(&mut zip, "lab/report.pdf"), pdf_a);
    assert_eq!(read(&mut zip, "lab/report (1).pdf"), pdf_b);
    assert_eq!(read(&mut zip, "radiology/chest.jpg"), jpeg);
    let csv = String::from_utf8(read(&mut zip, "manifest.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("file,document_id,category"));
    assert_eq!(lines.count(), 3);
    assert!(csv.contains(&a.id) && csv.contains(&b.id));
    assert!(!csv.contains("Patient"), "no patient name in the CSV");

    let mut exported = Vec::new();
    for event in crate::local_cloud::audit_events().await {
        if event["action"] == "export" && event["mrn"] == "30000011" {
            exported.push(event["doc_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(exported.len(), 3, "one audit event per exported document");
}

#[tokio::test]
async fn an_export_to_a_non_zip_name_or_of_unknown_documents_is_refused() {
    let clinician = cloud().signed_in("dr.okafor").await;
    let dir = tempfile::tempdir().unwrap();
    let lab = ExportSelection {
        categories: vec!["lab".into()],
        ..Default::default()
    };
    let not_zip = clinician
        .documents()
        .export("10000001", &lab, dir.path().join("export.pdf"))
        .await
        .unwrap_err();
    assert_eq!(UiError::from(not_zip).code, ApiErrorCode::InvalidInput);
    let unknown = ExportSelection {
        doc_ids: vec![uuid::Uuid::now_v7().to_string()],
        ..Default::default()
    };
    let missing = clinician
        .documents()
        .export("10000001", &unknown, dir.path().join("x.zip"))
        .await
        .unwrap_err();
    assert_eq!(UiError::from(missing).code, ApiErrorCode::NotFound);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[tokio::test]
async fn ward_staff_may_not_export_and_the_window_is_told_so() {
    let ward = cloud().signed_in("nurse.hughes").await;
    let summary = ward.patients().find("MRN 10000001").await.unwrap();
    assert!(
        !summary.can_export,
        "the window hides export for ward staff"
    );
    let dir = tempfile::tempdir().unwrap();
    let lab = ExportSelection {
        categories: vec!["lab".into()],
        ..Default::default()
    };
    let refused = ward
        .documents()
        .export("10000001", &lab, dir.path().join("x.zip"))
        .await
        .unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::Forbidden);
    let clinician = cloud().signed_in("dr.okafor").await;
    assert!(
        clinician
            .patients()
            .find("MRN 10000001")
            .await
            .unwrap()
            .can_export
    );
}
