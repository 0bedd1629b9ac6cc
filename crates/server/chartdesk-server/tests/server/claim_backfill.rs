//! `chartdesk-server --claim-existing-documents`: documents filed before document-id claims
//! existed get theirs, so their ids cannot be reused for another patient; a claim naming
//! another record is never overwritten; a second run changes nothing.

use std::process::Command;

use chartdesk_records::store::object_store::{Versioned, Write};
use chartdesk_records::{doc_claim_key, DocClaim};
use chartdesk_sandbox::{demo_pdf, SANDBOX_BUCKET, SANDBOX_REGION};
use uuid::Uuid;

use crate::break_glass_everyone::{patient_with_documents, put_patient};
use crate::harness::{api, cloud, store, token};
use crate::uploads::{complete, declaration, start_and_put};

/// A valid NHS number starting with `first_nine`'s digits (the ninth moved until one checks).
fn nhs_number(first_nine: &str) -> String {
    let mut digits: Vec<u32> = first_nine.chars().filter_map(|c| c.to_digit(10)).collect();
    while chartdesk_domain::check_digit(&digits).is_none() {
        digits[8] = (digits[8] + 1) % 10;
    }
    digits.push(chartdesk_domain::check_digit(&digits).unwrap());
    digits.iter().map(u32::to_string).collect()
}

/// Runs the backfill as an operator would, with the server's settings; returns its output.
fn run_backfill() -> String {
    run_once("--claim-existing-documents", &[], &[])
}

/// Runs one of the server's one-off commands (`arg`) as an operator would, with the server's
/// settings and `extra` ones; returns its output, failing the test if it failed.
pub fn run_once(arg: &str, extra: &[(&str, &str)], more_args: &[&str]) -> String {
    let c = cloud();
    let out = Command::new(env!("CARGO_BIN_EXE_chartdesk-server"))
        .arg(arg)
        .args(more_args)
        .envs(extra.iter().copied())
        .env("CHARTDESK_BUCKET", SANDBOX_BUCKET)
        .env("CHARTDESK_USER_POOL_ID", &c.report.user_pool_id)
        .env("CHARTDESK_APP_CLIENT_ID", &c.report.client_id)
        .env("AWS_REGION", SANDBOX_REGION)
        .env("AWS_ENDPOINT_URL", &c.endpoint)
        .env("CHARTDESK_LOCAL_CLOUD", "true")
        .env("AWS_ACCESS_KEY_ID", chartdesk_testkit::ADMIN_KEYS.0)
        .env("AWS_SECRET_ACCESS_KEY", chartdesk_testkit::ADMIN_KEYS.1)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .expect("running a chartdesk-server one-off command");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

async fn claim(id: Uuid) -> Option<Versioned<DocClaim>> {
    store()
        .await
        .get_json::<DocClaim>(&doc_claim_key(id))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_backfill_claims_old_documents_so_their_ids_cannot_be_reused_and_runs_twice_safely() {
    // Two documents filed before claims existed: written straight into the manifest.
    let ids = patient_with_documents("43000001", &nhs_number("955501300"), 2).await;
    let (status, body) = put_patient("43000002", &nhs_number("955501310"), false, false).await;
    assert_eq!(status, 200, "{body}");
    assert!(claim(ids[0]).await.is_none(), "no claim yet");
    // The second id is already claimed by another record (an earlier misfiling, say).
    let other = DocClaim::new(
        &chartdesk_domain::Mrn::from_stored("43000002").unwrap(),
        chartdesk_domain::Category::Lab,
    );
    store()
        .await
        .put_json(&doc_claim_key(ids[1]), &other, Write::Create)
        .await
        .unwrap();

    let first = run_backfill();
    assert_eq!(first.lines().count(), 1, "one summary line: {first}");
    assert!(
        !first.contains("4300000") && !first.contains(&ids[0].to_string()),
        "counts only, never an MRN or an id: {first}"
    );
    let claimed = claim(ids[0]).await.expect("claimed by the backfill");
    assert_eq!(claimed.value.mrn, "43000001");
    let untouched = claim(ids[1]).await.unwrap();
    assert_eq!(
        untouched.value, other,
        "a claim naming another record is kept"
    );

    // The old document's id, reused for another patient: refused when completed.
    let pdf = demo_pdf("Lab", "backfill reuse");
    let mut reused = declaration("43000002", "lab", "copy.pdf", "application/pdf", &pdf);
    reused["doc_id"] = serde_json::json!(ids[0]);
    let (api, t) = (api(), token("nurse.hughes").await);
    start_and_put(&api, &t, &reused, &pdf).await;
    let done = complete(&api, &t, std::slice::from_ref(&reused)).await;
    assert_eq!(
        (
            done[0]["outcome"].as_str(),
            done[0]["error"]["code"].as_str()
        ),
        (Some("refused"), Some("invalid_input")),
        "{done:?}"
    );

    // Again: nothing this test's claims hold changes.
    run_backfill();
    assert_eq!(claim(ids[0]).await.unwrap().etag, claimed.etag);
    assert_eq!(claim(ids[1]).await.unwrap().etag, untouched.etag);
}
