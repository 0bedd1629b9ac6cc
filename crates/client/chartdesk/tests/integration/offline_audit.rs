//! Issue 22 item 5: every read of a cached patient made offline (the find, a list, thumbnails,
//! a document) is queued in the encrypted cache with the break-glass reason given, and reaches
//! the server once back; online, the CLI answers with the record as the cloud has it now.

use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::{keys, Mrn, Patient, StatedReason};
use chartdesk_domain::{AuditAction, AuditEvent};
use chartdesk_records::store::object_store::Write;
use chartdesk_sandbox::demo_jpeg;

use crate::cache_per_patient::add_image;
use crate::local_cloud::{cloud, run_cli, seed_patient};
use crate::network_switch::{signed_in_via, NetworkSwitch};

/// Changes a seeded patient's stored demographics, as a change made elsewhere would.
async fn change_patient(mrn: &str, change: impl FnOnce(&mut Patient)) {
    let store = cloud().admin_store().await;
    let key = keys::patient(&Mrn::from_stored(mrn).unwrap());
    let read = store.get_json::<Patient>(&key).await.unwrap().unwrap();
    let mut patient = read.value;
    change(&mut patient);
    store
        .put_json(&key, &patient, Write::IfMatch(read.etag))
        .await
        .unwrap();
    // As the server's registration does: the record's version changes with it.
    chartdesk_records::note_demographics(&store, &patient)
        .await
        .unwrap();
}

/// The record's access history as a records admin reads it: with a reason, since reading the
/// history of a restricted record is break-glass too.
async fn history(mrn: &str) -> Vec<AuditEvent> {
    let admin = cloud().signed_in("admin.byrne").await;
    let reason = StatedReason::parse(Some("other"), Some("audit review")).unwrap();
    admin
        .patients()
        .find_with_reason(&format!("MRN {mrn}"), Some(reason))
        .await
        .unwrap();
    admin.admin().access_history(mrn).await.unwrap()
}

#[tokio::test]
async fn offline_finds_lists_and_thumbnails_of_a_cached_patient_reach_the_server_with_the_reason() {
    let mrn = "30002301";
    seed_patient(mrn, &[]).await;
    let id = uuid::Uuid::now_v7();
    add_image(mrn, id, &demo_jpeg(31)).await;
    change_patient(mrn, |p| p.flags.restricted = true).await;
    let doc = id.to_string();
    let query = format!("MRN {mrn}");
    let reason = StatedReason::parse(Some("safeguarding"), None).unwrap();

    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-audit", "dr.okafor").await;
    s.patients()
        .find_with_reason(&query, Some(reason.clone()))
        .await
        .unwrap();
    s.documents().list(mrn, "preop").await.unwrap();
    assert!(s.documents().thumbnail(mrn, &doc).await.unwrap().is_some());

    crate::cache_per_patient::cut(&switch, &s).await;
    // Offline as online, a restricted record needs the reason.
    let refused = s.patients().find(&query).await.unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::ReasonRequired);
    let shown = s
        .patients()
        .find_with_reason(&query, Some(reason))
        .await
        .unwrap();
    assert!(shown.synced_at.is_some(), "from the offline copy");
    // As the window does: the revalidation finds no network, so the find stays queued.
    assert!(s.patients().revalidate(mrn).await.is_err());
    assert_eq!(s.documents().list(mrn, "preop").await.unwrap().len(), 1);
    assert!(s.documents().thumbnail(mrn, &doc).await.unwrap().is_some());

    // Queued in the encrypted cache with what was read and the reason given.
    let queued: Vec<serde_json::Value> = s
        .cache()
        .await
        .unwrap()
        .pending_audits()
        .await
        .unwrap()
        .iter()
        .map(|(_, json)| serde_json::from_str(json).unwrap())
        .collect();
    let actions: Vec<&str> = queued
        .iter()
        .map(|v| v["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["find", "list", "thumbnails"], "{queued:?}");
    assert!(
        queued.iter().all(|v| v["reason"] == "safeguarding"),
        "{queued:?}"
    );
    assert_eq!(queued[1]["count"], 1, "the rows the list showed");

    switch.restore();
    assert!(s.is_online().await);
    s.offline().flush_audits().await.unwrap();
    let reported: Vec<AuditEvent> = history(mrn)
        .await
        .into_iter()
        .filter(|e| e.actor == "dr.okafor" && e.reported_at.is_some())
        .collect();
    assert_eq!(reported.len(), 3, "find, list and thumbnails: {reported:?}");
    // What the server stores of them (the server's part of item 5: the audit engineer's).
    for action in [
        AuditAction::Find,
        AuditAction::List,
        AuditAction::Thumbnails,
    ] {
        assert!(
            reported.iter().any(|e| e.action == action
                && e.reason
                    .as_deref()
                    .is_some_and(|r| r.starts_with("safeguarding"))),
            "{action:?} with the reason given offline: {reported:?}"
        );
    }
    s.offline().flush_audits().await.unwrap();
    assert_eq!(
        history(mrn)
            .await
            .iter()
            .filter(|e| e.reported_at.is_some())
            .count(),
        3,
        "each reported once"
    );
}

#[tokio::test]
async fn an_offline_read_the_server_refuses_is_dropped_and_never_holds_the_others_back() {
    let mrn = "30002302";
    seed_patient(mrn, &[]).await;
    let switch = NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s = signed_in_via(&switch, dir.path(), "offline-audit-refused", "dr.okafor").await;
    s.patients().find(&format!("MRN {mrn}")).await.unwrap();
    // A read of a record number of no valid form: the server refuses it, whatever happens.
    let bad = serde_json::json!({
        "event_id": uuid::Uuid::now_v7(), "at": "2026-01-01T00:00:00Z", "action": "list",
        "mrn": "not an mrn", "doc_id": null
    });
    let cache = s.cache().await.unwrap();
    cache
        .queue_audit("0-refused", bad.to_string())
        .await
        .unwrap();
    crate::cache_per_patient::cut(&switch, &s).await;
    s.documents().list(mrn, "lab").await.unwrap();
    s.documents().list(mrn, "preop").await.unwrap();
    switch.restore();
    assert!(s.is_online().await);

    s.offline().flush_audits().await.unwrap();
    let reported = history(mrn)
        .await
        .into_iter()
        .filter(|e| e.actor == "dr.okafor" && e.reported_at.is_some())
        .count();
    assert_eq!(reported, 2, "both good reads went up");
    assert!(
        cache.pending_audits().await.unwrap().is_empty(),
        "the refused read does not stay queued for ever"
    );
}

#[tokio::test]
async fn the_cli_prints_a_cached_patient_as_the_cloud_has_them_now_and_the_server_audits_the_find()
{
    let mrn = "30002303";
    seed_patient(mrn, &[]).await;
    let password = &cloud()
        .report
        .users
        .iter()
        .find(|u| u.username == "dr.okafor")
        .unwrap()
        .password;
    let query = format!("MRN {mrn}");
    let find = || run_cli(&["find", "--user", "dr.okafor", &query], password);
    let first = find();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    change_patient(mrn, |p| p.family_name = "Renamedincloud".into()).await;
    let finds = || async {
        history(mrn)
            .await
            .iter()
            .filter(|e| e.actor == "dr.okafor" && e.action == AuditAction::Find)
            .count()
    };
    let before = finds().await;

    let second = find();
    let printed = String::from_utf8_lossy(&second.stdout).to_uppercase();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(
        printed.contains("RENAMEDINCLOUD"),
        "the current record: {printed}"
    );
    assert!(!printed.contains("OFFLINE"), "{printed}");
    assert_eq!(
        finds().await,
        before + 1,
        "the server saw and audited the find"
    );
}
