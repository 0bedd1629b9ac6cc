//! The idle lock: while locked the core refuses every record request; only the user's password
//! (checked by Cognito) unlocks; a restart does not skip the lock (it always opens locked);
//! offline, five wrong passwords with growing waits, counted across restarts, then only the
//! network opens it.

use chartdesk::config::Profile;
use chartdesk::{Services, UiError};
use chartdesk_api::ApiErrorCode;

use crate::local_cloud::cloud;

async fn app(profile_name: &str) -> Services {
    cloud().remembering_app(profile_name).await
}

#[tokio::test]
async fn a_locked_session_refuses_records_until_the_right_password_is_given() {
    let services = app(&format!("lock-{}", uuid::Uuid::now_v7())).await;
    services
        .sign_in("dr.okafor", cloud().password("dr.okafor"))
        .await
        .unwrap();
    services.session().lock().await.unwrap();
    assert!(services.session().current_user().await.unwrap().locked);

    let refused = UiError::from(services.patients().find("943 476 5919").await.unwrap_err());
    assert_eq!(refused.code, ApiErrorCode::Locked);

    let wrong = UiError::from(
        services
            .session()
            .unlock("Not-The-Password-1!")
            .await
            .unwrap_err(),
    );
    assert_eq!(wrong.code, ApiErrorCode::WrongCredentials);
    assert!(
        services.patients().find("943 476 5919").await.is_err(),
        "still locked"
    );

    let user = services
        .session()
        .unlock(cloud().password("dr.okafor"))
        .await
        .unwrap();
    assert!(!user.locked);
    services.patients().find("943 476 5919").await.unwrap();
    services.sign_out().await.unwrap();
}

#[tokio::test]
async fn restarting_a_locked_app_keeps_it_locked() {
    let name = format!("lock-{}", uuid::Uuid::now_v7());
    let first = app(&name).await;
    first
        .sign_in("nurse.hughes", cloud().password("nurse.hughes"))
        .await
        .unwrap();
    first.session().lock().await.unwrap();
    drop(first);

    let restarted = app(&name).await;
    let user = restarted.session().resume_session().await.unwrap().unwrap();
    assert!(user.locked, "the lock survives a restart");
    let refused = UiError::from(restarted.patients().find("943 476 5919").await.unwrap_err());
    assert_eq!(refused.code, ApiErrorCode::Locked);
    restarted
        .session()
        .unlock(cloud().password("nurse.hughes"))
        .await
        .unwrap();
    restarted.patients().find("943 476 5919").await.unwrap();

    // A shared ward computer: every restart opens locked, unlocked before or not.
    let again = app(&name).await;
    assert!(
        again
            .session()
            .resume_session()
            .await
            .unwrap()
            .unwrap()
            .locked,
        "a restart opens locked even after an unlock"
    );
    let refused = UiError::from(again.offline().clear_offline_data().await.unwrap_err());
    assert_eq!(
        refused.code,
        ApiErrorCode::Locked,
        "nothing is cleared behind the lock"
    );
    again
        .session()
        .unlock(cloud().password("nurse.hughes"))
        .await
        .unwrap();
    again.sign_out().await.unwrap();
}

/// A profile of its own whose cloud and server the test can cut off.
async fn behind_a_switch(prefix: &str) -> (crate::network_switch::NetworkSwitch, Profile) {
    let switch = crate::network_switch::NetworkSwitch::start(&cloud().endpoint).await;
    let mut profile = cloud().profile();
    profile.name = format!("{prefix}-{}", uuid::Uuid::now_v7());
    profile.endpoint = Some(switch.endpoint.clone());
    profile.server_url = Some(switch.server_url.clone());
    profile.keychain = chartdesk::auth::KeychainBackend::Keyutils;
    (switch, profile)
}

#[tokio::test]
async fn with_no_network_the_lock_opens_with_the_password_last_accepted_online() {
    let (switch, profile) = behind_a_switch("lock-offline").await;
    let services = Services::new(profile, chartdesk::services::system_clock())
        .await
        .remembering_sessions();
    services
        .sign_in("dr.okafor", cloud().password("dr.okafor"))
        .await
        .unwrap();
    services.session().lock().await.unwrap();

    switch.cut();
    // (Wrong passwords offline, and their waits: the next test.)
    assert!(services.session().current_user().await.unwrap().locked);
    let user = services
        .session()
        .unlock(cloud().password("dr.okafor"))
        .await
        .unwrap();
    assert!(!user.locked, "opened offline");

    switch.restore();
    services.sign_out().await.unwrap();
}

#[tokio::test]
async fn offline_five_wrong_passwords_with_growing_waits_then_only_the_network_unlocks() {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    let (switch, profile) = behind_a_switch("lock-tries").await;
    // A clock the test moves on, so the waits are checked without sleeping through them.
    let skew = Arc::new(AtomicI64::new(0));
    let clock: chartdesk::services::Clock = {
        let skew = skew.clone();
        Arc::new(move || {
            time::OffsetDateTime::now_utc() + time::Duration::seconds(skew.load(Ordering::SeqCst))
        })
    };
    let start = || async {
        Services::new(profile.clone(), clock.clone())
            .await
            .remembering_sessions()
    };
    let services = start().await;
    services
        .sign_in("dr.okafor", cloud().password("dr.okafor"))
        .await
        .unwrap();
    services.session().lock().await.unwrap();
    switch.cut();

    let wrong = || async {
        UiError::from(
            services
                .session()
                .unlock("Not-The-Password-1!")
                .await
                .unwrap_err(),
        )
    };
    assert_eq!(wrong().await.code, ApiErrorCode::WrongCredentials);
    let early = wrong().await;
    assert!(
        early
            .message
            .starts_with("That password is not right. Wait "),
        "{}",
        early.message
    );
    for wait in [5, 10, 20, 40] {
        skew.fetch_add(wait, Ordering::SeqCst);
        assert_eq!(
            wrong().await.message,
            "The user name or password is incorrect"
        );
    }
    // Five wrong ones: even the right password, even after a restart, waits for the network.
    drop(services);
    switch.restore();
    let restarted = start().await;
    assert!(
        restarted
            .session()
            .resume_session()
            .await
            .unwrap()
            .unwrap()
            .locked
    );
    switch.cut();
    skew.fetch_add(3_600, Ordering::SeqCst);
    let refused = UiError::from(
        restarted
            .session()
            .unlock(cloud().password("dr.okafor"))
            .await
            .unwrap_err(),
    );
    assert!(
        refused.message.starts_with("Too many wrong passwords"),
        "{}",
        refused.message
    );

    // Back online (and back to the pool's time): Cognito checks the password again.
    skew.store(0, Ordering::SeqCst);
    switch.restore();
    restarted
        .session()
        .unlock(cloud().password("dr.okafor"))
        .await
        .unwrap();
    restarted.sign_out().await.unwrap();
}
