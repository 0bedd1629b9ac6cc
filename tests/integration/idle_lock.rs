//! The idle lock: while locked the core refuses every record request; only the user's password
//! (checked by Cognito) unlocks; a restart does not skip the lock.

use chartdesk::{ErrorCode, Services, UiError};

use crate::local_cloud::cloud;

async fn app(profile_name: &str) -> Services {
    cloud().remembering_app(profile_name).await
}

#[tokio::test]
async fn a_locked_session_refuses_records_until_the_right_password_is_given() {
    let services = app(&format!("lock-{}", uuid::Uuid::now_v7())).await;
    services
        .sign_in("dr.okafor", "Demo-Clinician-2026!")
        .await
        .unwrap();
    services.lock().await.unwrap();
    assert!(services.current_user().await.unwrap().locked);

    let refused = UiError::from(services.find_patient("943 476 5919").await.unwrap_err());
    assert_eq!(refused.code, ErrorCode::Locked);

    let wrong = UiError::from(services.unlock("Not-The-Password-1!").await.unwrap_err());
    assert_eq!(wrong.code, ErrorCode::WrongCredentials);
    assert!(
        services.find_patient("943 476 5919").await.is_err(),
        "still locked"
    );

    let user = services.unlock("Demo-Clinician-2026!").await.unwrap();
    assert!(!user.locked);
    services.find_patient("943 476 5919").await.unwrap();
    services.sign_out().await.unwrap();
}

#[tokio::test]
async fn restarting_a_locked_app_keeps_it_locked() {
    let name = format!("lock-{}", uuid::Uuid::now_v7());
    let first = app(&name).await;
    first
        .sign_in("nurse.hughes", "Demo-WardStaff-2026!")
        .await
        .unwrap();
    first.lock().await.unwrap();
    drop(first);

    let restarted = app(&name).await;
    let user = restarted.resume_session().await.unwrap().unwrap();
    assert!(user.locked, "the lock survives a restart");
    let refused = UiError::from(restarted.find_patient("943 476 5919").await.unwrap_err());
    assert_eq!(refused.code, ErrorCode::Locked);
    restarted.unlock("Demo-WardStaff-2026!").await.unwrap();
    restarted.find_patient("943 476 5919").await.unwrap();

    let again = app(&name).await;
    assert!(
        !again.resume_session().await.unwrap().unwrap().locked,
        "unlock is remembered too"
    );
    again.sign_out().await.unwrap();
}

#[tokio::test]
async fn with_no_network_the_lock_opens_with_the_password_last_accepted_online() {
    let switch = crate::network_switch::NetworkSwitch::start(&cloud().endpoint).await;
    let mut profile = cloud().profile();
    profile.name = format!("lock-offline-{}", uuid::Uuid::now_v7());
    profile.endpoint = Some(switch.endpoint.clone());
    profile.server_url = Some(switch.server_url.clone());
    profile.keychain = chartdesk::auth::KeychainBackend::Keyutils;
    let services = Services::new(profile, chartdesk::services::system_clock())
        .await
        .remembering_sessions();
    services
        .sign_in("dr.okafor", "Demo-Clinician-2026!")
        .await
        .unwrap();
    services.lock().await.unwrap();

    switch.cut();
    let wrong = UiError::from(services.unlock("Not-The-Password-1!").await.unwrap_err());
    assert_eq!(wrong.code, ErrorCode::WrongCredentials, "checked locally");
    assert!(services.current_user().await.unwrap().locked);
    let user = services.unlock("Demo-Clinician-2026!").await.unwrap();
    assert!(!user.locked, "opened offline");

    switch.restore();
    services.sign_out().await.unwrap();
}
