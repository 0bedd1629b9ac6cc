//! `chartdesk sandbox up`: what it creates, that it is idempotent, and that keys hold no names.

use std::process::Command;

use chartdesk_sandbox::{demo_patients, SANDBOX_PROFILE};

use crate::local_cloud::cloud;

#[tokio::test]
async fn provisioning_writes_the_sandbox_profile_with_pool_client_and_bucket() {
    let c = cloud();
    let profile = c.profile();
    assert_eq!(profile.name, SANDBOX_PROFILE);
    assert_eq!(profile.endpoint.as_deref(), Some(c.endpoint.as_str()));
    assert_eq!(profile.user_pool_id, c.report.user_pool_id);
    assert!(!profile.client_id.is_empty());
    assert!(c.report.patients >= 12, "at least 12 demo patients");
    assert!(c.report.documents > 0);
}

#[tokio::test]
async fn every_demo_patient_has_a_record_and_an_nhs_lookup() {
    let keys = every_key().await;
    for p in demo_patients() {
        assert!(keys.contains(&format!("patients/{}/patient.json", p.mrn)));
        assert!(keys.contains(&format!("lookup/nhs/{}.json", p.nhs_number)));
    }
}

#[tokio::test]
async fn no_object_key_contains_a_patient_name() {
    let keys = every_key().await;
    assert!(!keys.is_empty());
    for p in demo_patients() {
        for name in [p.given_name, p.family_name] {
            let name = name.to_lowercase();
            let hit = keys.iter().find(|k| k.to_lowercase().contains(&name));
            assert!(hit.is_none(), "a key contains a patient name: {hit:?}");
        }
    }
}

/// The CLI contract scripts rely on: `sandbox up --endpoint URL` twice gives the same pool,
/// client and objects (idempotent), and fails nothing.
#[tokio::test]
async fn cli_sandbox_up_is_idempotent() {
    let c = cloud();
    // The demo records only: other tests add audit events and patients (MRNs 2…/3…) meanwhile.
    let records = || async {
        let store = c.admin_store().await;
        let mut keys = store.list_keys("patients/1").await.unwrap();
        let demo: Vec<String> = demo_patients()
            .iter()
            .map(|p| format!("lookup/nhs/{}.json", p.nhs_number))
            .collect();
        let lookups = store.list_keys("lookup/").await.unwrap();
        keys.extend(lookups.into_iter().filter(|k| demo.contains(k)));
        keys
    };
    let before = records().await;
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let out = Command::new(chartdesk_testkit::command_line())
            .args(["sandbox", "up", "--json", "--endpoint", &c.endpoint])
            .env("CHARTDESK_CONFIG_DIR", dir.path().join("config"))
            .env("CHARTDESK_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut report = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
        // The records server's key is issued afresh each run (older keys are removed).
        let keys = report.as_object_mut().unwrap();
        assert!(keys.remove("server_access_key_id").unwrap().is_string());
        assert!(keys.remove("server_secret_access_key").unwrap().is_string());
        report
    };
    let first = run();
    let second = run();
    assert_eq!(
        first, second,
        "a second run changes nothing but the server's key"
    );
    assert_eq!(first["user_pool_id"], c.report.user_pool_id.as_str());
    let after = records().await;
    assert_eq!(before, after, "no object added or removed");
    let config = std::fs::read_to_string(dir.path().join("config/config.toml")).unwrap();
    assert!(config.contains("[profiles.sandbox]"));
}

#[test]
fn cli_help_lists_every_command() {
    let out = Command::new(chartdesk_testkit::command_line())
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["sandbox", "find", "docs"] {
        assert!(help.contains(cmd), "--help lists {cmd}: {help}");
    }
}

/// Every key in the sandbox bucket, as an administrator lists it.
async fn every_key() -> Vec<String> {
    crate::local_cloud::cloud()
        .admin_store()
        .await
        .list_keys("")
        .await
        .unwrap()
}
