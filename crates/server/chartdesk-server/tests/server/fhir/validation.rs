//! Every kind of answer the running server gives over FHIR validates with fhir.resources'
//! R4B models (the setup script installs them in the local cloud's venv): a library no one
//! here wrote, run on the bytes the real server process sent.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{by_nhs, AMARA};
use crate::harness::{api, token};

/// The venv's python (beside moto's server), which has fhir.resources.
fn venv_python() -> std::path::PathBuf {
    chartdesk_testkit::programs().moto.with_file_name("python")
}

async fn fhir(token: Option<&str>, path: &str) -> (u16, String, Value) {
    let api = api();
    let mut request = api.http.get(api.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, content_type, response.json().await.unwrap())
}

#[tokio::test]
async fn every_kind_of_fhir_answer_validates_with_fhir_resources_r4b() {
    let doctor = token("dr.okafor").await;
    let admin = token("admin.byrne").await;
    let answers = [
        (None, "/fhir/R4/metadata".to_string(), 200),
        (
            Some(doctor.as_str()),
            format!("/fhir/R4/Patient?identifier={}", by_nhs(AMARA.1)),
            200,
        ),
        (
            Some(doctor.as_str()),
            format!("/fhir/R4/Patient/{}", AMARA.0),
            200,
        ),
        (
            Some(doctor.as_str()),
            format!(
                "/fhir/R4/DocumentReference?patient.identifier={}&_count=3",
                by_nhs(AMARA.1)
            ),
            200,
        ),
        (None, format!("/fhir/R4/Patient/{}", AMARA.0), 401),
        (
            Some(doctor.as_str()),
            format!("/fhir/R4/Patient?identifier={}", by_nhs("9434765918")),
            400,
        ),
        (
            Some(doctor.as_str()),
            "/fhir/R4/Patient/99999999".to_string(),
            404,
        ),
        (
            Some(admin.as_str()),
            format!("/fhir/R4/AuditEvent?patient=Patient/{}", AMARA.0),
            200,
        ),
    ];
    let mut resources = Vec::new();
    for (token, path, expected) in answers {
        let (status, content_type, body) = fhir(token, &path).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(content_type, "application/fhir+json", "{path}");
        resources.push(body);
    }
    let documents = &resources[3];
    assert!(documents["total"].as_u64().unwrap() > 3, "{documents}");
    assert!(documents["link"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["relation"] == "next"));
    resources.push(created_document().await);

    let said = validated(&resources);
    assert!(said.contains("checked 9 resources, 0 failed"), "{said}");
}

/// Validates each resource with fhir.resources' R4B models (Bundles with their entries), fails
/// the test naming any it refuses, and returns what the script said.
pub fn validated(resources: &[Value]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/server/fhir/validate.py");
    let mut child = Command::new(venv_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python (scripts/setup.sh installs it)");
    let input = serde_json::to_vec(resources).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "fhir.resources refused: {said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    said
}

/// A DocumentReference the running server created (`POST`, the bytes inline), as it answered.
async fn created_document() -> Value {
    let mrn = "32000009";
    chartdesk_testkit::cloud().seed_patient(mrn, &[]).await;
    let pdf = chartdesk_sandbox::demo_pdf("Validated", "Created over FHIR");
    let mut resource = super::create::posted("", "4241000179101", "v.pdf", "application/pdf", &pdf);
    resource["subject"] = serde_json::json!({ "reference": format!("Patient/{mrn}") });
    let api = api();
    let response = api
        .http
        .post(api.url("/fhir/R4/DocumentReference"))
        .bearer_auth(token("nurse.hughes").await)
        .header("content-type", "application/fhir+json")
        .body(resource.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    response.json().await.unwrap()
}
