//! A file whose content is a PDF but whose name says a program (issue 22 item 2): it is listed
//! under a harmless name and leaves an export only as a `.pdf`, whatever bidi trick it carries.
//! In-process.

use std::io::Read;

use chartdesk_domain::sha256_hex;
use chartdesk_sandbox::demo_pdf;
use serde_json::json;
use uuid::Uuid;

use crate::harness::token;
use crate::in_process::Local;

/// Displays as `scanath.pdf`; is an HTML application to Windows.
const DISGUISED: &str = "scan\u{202E}fdp.hta";

#[tokio::test]
async fn a_pdf_named_as_a_program_is_listed_harmlessly_and_exported_as_a_pdf() {
    let api = Local::demo().await;
    let nurse = token("nurse.hughes").await;
    // A real PDF (the worker must read it before anything of it is handed out) whose text
    // looks like a program's.
    let bytes = demo_pdf("Intraop", "<HTA:APPLICATION><script>alert(1)</script>");
    let doc_id = Uuid::now_v7();
    let decl = json!({
        "doc_id": doc_id, "mrn": "10000010", "category": "intraop", "file_name": DISGUISED,
        "content_type": "application/pdf", "size": bytes.len(), "sha256": sha256_hex(&bytes),
    });
    let (status, started) = api.post(&nurse, "/v1/uploads", &decl).await;
    assert_eq!(status, 200, "{started}");
    api.put_presigned(&started["objects"][0]["put"], &bytes)
        .unwrap();
    let (status, done) = api
        .post(
            &nurse,
            "/v1/uploads/complete",
            &json!({ "uploads": [decl] }),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["results"][0]["outcome"], "attached", "{done}");
    api.process("10000010", doc_id).await;

    let clinician = token("dr.okafor").await;
    let (status, list) = api
        .get(
            &clinician,
            "/v1/patients/10000010/documents?category=intraop",
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let row = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == doc_id.to_string())
        .expect("the upload is listed")
        .clone();
    assert_eq!(row["file_name"], "scanfdp.hta.pdf", "no override, a .pdf");

    let (status, archive) = api
        .post(
            &clinician,
            "/v1/patients/10000010/export/archive",
            &json!({"doc_ids": [doc_id]}),
        )
        .await;
    assert_eq!(status, 200, "{archive}");
    let archive: chartdesk_api::ExportArchive = serde_json::from_value(archive).unwrap();
    let zip_bytes = api.store.fetch(&archive.url).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"intraop/scanfdp.hta.pdf".to_string()),
        "{names:?}"
    );
    let mut csv = String::new();
    zip.by_name("manifest.csv")
        .unwrap()
        .read_to_string(&mut csv)
        .unwrap();
    assert!(
        !csv.contains('\u{202E}') && csv.contains("scanfdp.hta.pdf"),
        "{csv}"
    );
}
