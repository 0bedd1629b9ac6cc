//! What the test kit (`chartdesk-testkit`) promises the suites built on it: tokens the records
//! server accepts, a patient of the test's own, and another server with other settings.

use chartdesk_domain::Category;
use chartdesk_sandbox::launch::ServerSettings;

use crate::local_cloud::{cloud, run_cli};

/// GET `path` on the shared server as `user`, signed in by the kit.
async fn get_as(user: &str, path: &str) -> reqwest::Response {
    let c = cloud();
    let tokens = c.tokens(user).await;
    reqwest::Client::new()
        .get(format!("{}{path}", c.server_url))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_kits_tokens_for_a_demo_user_are_accepted_by_the_records_server() {
    let answer = get_as("dr.okafor", "/v1/patients/10000001/documents?category=lab").await;
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn a_patient_seeded_by_the_kit_is_served_with_its_documents() {
    let c = cloud();
    c.seed_patient("40000001", &[Category::Lab, Category::Discharge])
        .await;
    let list = get_as(
        "nurse.hughes",
        "/v1/patients/40000001/documents?category=lab",
    )
    .await;
    assert_eq!(list.status(), 200);
    assert!(list.text().await.unwrap().contains("lab-seeded.pdf"));
}

#[tokio::test]
async fn another_server_serves_its_own_settings_and_stops_when_dropped() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><title>kit</title>",
    )
    .unwrap();
    let settings = ServerSettings {
        web_root: Some(ui.path().to_path_buf()),
        ..Default::default()
    };
    let (server, url) = cloud().another_server(settings);
    // Blocking here is fine: the kit starts the server on a runtime of its own.
    let page = reqwest::get(format!("{url}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>kit</title>"), "{page}");
    drop(server);
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

/// The same seeding for the e2e suite and scripts: `chartdesk sandbox seed-patient`.
#[tokio::test]
async fn cli_seed_patient_writes_a_record_the_server_serves_and_refuses_a_taken_mrn() {
    let args = [
        "sandbox",
        "seed-patient",
        "--mrn",
        "40000002",
        "--category",
        "discharge",
        "--json",
    ];
    let out = run_cli(&args, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let patient: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(patient["mrn"], "40000002");
    assert_eq!(patient["documents"], 1);
    let list = get_as(
        "nurse.hughes",
        "/v1/patients/40000002/documents?category=discharge",
    )
    .await;
    assert!(list.text().await.unwrap().contains("discharge-seeded.pdf"));
    assert!(
        !run_cli(&args, "").status.success(),
        "a taken MRN is refused"
    );
}
