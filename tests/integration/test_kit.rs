//! What the test kit (`chartdesk-testkit`) promises the suites built on it: tokens the records
//! server accepts, a patient of the test's own, and another server with other settings.

use chartdesk::domain::Category;
use chartdesk::sandbox::launch::ServerSettings;

use crate::local_cloud::cloud;

#[tokio::test]
async fn the_kits_tokens_for_a_demo_user_are_accepted_by_the_records_server() {
    let c = cloud();
    let tokens = c.tokens("dr.okafor").await;
    let answer = reqwest::Client::new()
        .get(format!(
            "{}/v1/patients/10000001/documents?category=lab",
            c.server_url
        ))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn a_patient_seeded_by_the_kit_is_served_with_its_documents() {
    let c = cloud();
    c.seed_patient("40000001", &[Category::Lab, Category::Discharge])
        .await;
    let tokens = c.tokens("nurse.hughes").await;
    let list = reqwest::Client::new()
        .get(format!(
            "{}/v1/patients/40000001/documents?category=lab",
            c.server_url
        ))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap();
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
