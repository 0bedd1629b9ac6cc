//! A real FHIR client (Python's fhirpy, installed in the local cloud's venv by the setup
//! script) against the running server process: it finds a patient by NHS number, follows the
//! paging links to the end and reads Binaries whose bytes match the recorded SHA-256.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::AMARA;
use crate::harness::{cloud, token};

#[tokio::test]
async fn fhirpy_searches_by_nhs_number_follows_the_pages_and_reads_binaries_that_match() {
    let doctor = token("dr.okafor").await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/server/fhir/fhirpy_session.py"
    );
    let python = chartdesk_testkit::programs().moto.with_file_name("python");
    let base = format!("{}/fhir/R4", cloud().server);
    let mut child = Command::new(python)
        .args([script, &base, AMARA.1])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python (scripts/setup.sh installs fhirpy)");
    // The token goes on stdin, not the command line other processes can read.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(doctor.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the fhirpy session failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let said: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(said["patient"], AMARA.0, "{said}");
    let total = said["total"].as_u64().unwrap();
    let ids: Vec<&str> = said["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    assert_eq!(ids.len() as u64, total, "every page was followed: {said}");
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "no document twice: {said}");
    assert!(ids
        .iter()
        .all(|id| id.starts_with(&format!("{}-", AMARA.0))));
    // Two to a page: fhirpy fetched one bundle per page, through the server's `next` links.
    assert_eq!(said["pages"].as_u64().unwrap(), total.div_ceil(2), "{said}");

    let binaries = said["binaries"].as_array().unwrap();
    assert!(!binaries.is_empty(), "no document could be read: {said}");
    for binary in binaries {
        assert_eq!(binary["read"], binary["recorded"], "{binary}");
        assert_eq!(binary["redirected"], true, "{binary}");
    }
}
