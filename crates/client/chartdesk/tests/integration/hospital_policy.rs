//! The hospital's policy comes from its records server: a desktop whose profile says nothing
//! about it follows the MRN pattern and the upload limit of the server it is pointed at, and
//! keeps the last copy it was given for a start without the server.

use std::sync::OnceLock;

use chartdesk::services::{saved_policy_path, system_clock, Upload};
use chartdesk::{AppError, Services};
use chartdesk_domain::FileRefusal;
use chartdesk_sandbox::demo_pdf;
use chartdesk_sandbox::launch::{RunningServer, ServerSettings};

use crate::local_cloud::{cloud, dead_endpoint, seed_patient};

/// Two letters and five digits: no MRN of the default pattern fits.
const PATTERN: &str = "^[A-Z]{2}[0-9]{5}$";
const MRN: &str = "PQ73915";

/// A second records server on the shared cloud, configured as a trust would: its own MRN
/// pattern, a 1 MiB upload limit and a 42 s idle lock.
fn policy_server() -> &'static str {
    static SERVER: OnceLock<(RunningServer, String)> = OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let env = [
                ("CHARTDESK_MRN_PATTERN", PATTERN),
                ("CHARTDESK_MAX_UPLOAD_MIB", "1"),
                ("CHARTDESK_IDLE_LOCK_SECONDS", "42"),
            ];
            cloud().another_server(ServerSettings {
                env: env.map(|(k, v)| (k.to_string(), v.to_string())).to_vec(),
                ..Default::default()
            })
        })
        .1
}

/// A ward desktop whose profile names only that server (and local things).
async fn ward_desktop() -> Services {
    let mut profile = cloud().profile();
    profile.server_url = Some(policy_server().to_string());
    assert!(
        profile.ignored_settings.is_empty(),
        "the profile says nothing about policy"
    );
    cloud().signed_in_with(profile, "nurse.hughes").await
}

async fn our_patient() {
    static SEEDED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    SEEDED.get_or_init(|| seed_patient(MRN, &[])).await;
}

#[tokio::test]
async fn a_desktop_takes_the_mrn_pattern_and_idle_lock_of_its_server_not_the_defaults() {
    our_patient().await;
    let desktop = ward_desktop().await;
    let info = chartdesk::AppInfo::new("ward", Ok(&desktop), "test");
    assert_eq!(info.idle_lock_seconds, 42);
    let found = desktop.patients().find(MRN).await.unwrap();
    assert_eq!(found.banner.mrn, MRN);
    // A demo patient's MRN fits the default pattern, not this hospital's: refused here,
    // before any request.
    let refused = desktop.patients().find("10000011").await.unwrap_err();
    assert!(matches!(refused, AppError::Query(_)), "{refused:?}");
}

#[tokio::test]
async fn a_desktop_refuses_a_file_over_its_servers_limit_before_sending() {
    our_patient().await;
    let desktop = ward_desktop().await;
    let mut big = demo_pdf("Lab", "big");
    big.resize(2 * 1024 * 1024, b' ');
    let refused = desktop
        .documents()
        .upload(Upload::new(MRN, "lab", "big.pdf", big))
        .await
        .unwrap_err();
    // The domain's refusal, made here: the server's would come back as its answer.
    assert!(
        matches!(
            &refused,
            AppError::FileRefused(FileRefusal::TooLarge { limit_mib: 1, .. })
        ),
        "{refused:?}"
    );
    let small = demo_pdf("Lab", "small");
    desktop
        .documents()
        .upload(Upload::new(MRN, "lab", "small.pdf", small))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_desktop_started_without_its_server_keeps_the_last_policy_it_was_given() {
    let data = tempfile::tempdir().unwrap();
    let kept = saved_policy_path(data.path(), "ward");
    let mut profile = cloud().profile();
    profile.server_url = Some(policy_server().to_string());
    let online = Services::new(profile.clone(), system_clock())
        .await
        .keeping_policy_at(kept.clone());
    assert!(online.refresh_policy().await);
    drop(online);

    profile.server_url = Some(dead_endpoint());
    let offline = Services::new(profile.clone(), system_clock())
        .await
        .keeping_policy_at(kept);
    assert!(!offline.refresh_policy().await, "the server is not there");
    let policy = offline.policy();
    assert!(policy.mrn_format.parse(MRN).is_ok());
    assert_eq!(policy.max_upload_bytes, 1024 * 1024);

    // With no copy kept, the domain's defaults.
    let fresh = Services::new(profile, system_clock())
        .await
        .keeping_policy_at(saved_policy_path(data.path(), "other"));
    assert!(fresh.policy().mrn_format.parse("10000011").is_ok());
}
