//! The desktop core and the CLI through the records server (a real `chartdesk-server` process
//! against the shared local cloud): stamps, break-glass, access history, patient import.

use std::process::Command;

use chartdesk::Services;
use chartdesk_api::ApiErrorCode;

use crate::local_cloud::cloud;

fn server_url() -> &'static str {
    &cloud().server_url
}

async fn through_server(username: &str) -> Services {
    let c = cloud();
    c.signed_in(username).await
}

fn cli(args: &[&str], user_password: &str) -> std::process::Output {
    let c = cloud();
    Command::new(chartdesk_testkit::command_line())
        .args(args)
        .env("CHARTDESK_CONFIG_DIR", &c.folders.config)
        .env("CHARTDESK_DATA_DIR", &c.folders.data)
        .env("CHARTDESK_PASSWORD", user_password)
        .env("CHARTDESK_SERVER_URL", server_url())
        .output()
        .unwrap()
}

fn password(user: &str) -> String {
    let c = cloud();
    c.report
        .users
        .iter()
        .find(|u| u.username == user)
        .unwrap()
        .password
        .clone()
}

#[tokio::test]
async fn a_stamp_made_through_the_server_is_in_the_record_and_its_access_history() {
    let clinician = through_server("dr.okafor").await;
    let rows = clinician
        .documents()
        .list("10000003", "radiology")
        .await
        .unwrap();
    let row = clinician
        .documents()
        .stamp("10000003", &rows[0].id)
        .await
        .unwrap();
    assert_eq!(row.stamp.as_deref(), Some("reviewed by dr.okafor"));
    let again = clinician
        .documents()
        .stamp("10000003", &rows[0].id)
        .await
        .unwrap_err();
    assert_eq!(
        again.code(),
        ApiErrorCode::Conflict,
        "a stamp is never replaced"
    );
    let admin = through_server("admin.byrne").await;
    let history = admin
        .admin()
        .access_history_rows("10000003", None)
        .await
        .unwrap();
    assert!(
        history
            .rows
            .iter()
            .any(|e| e.actor == "dr.okafor" && e.action == "Stamped a document"),
        "{history:?}"
    );
    let refused = clinician
        .admin()
        .access_history("10000003")
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        ApiErrorCode::Forbidden,
        "only records admins"
    );
}

#[tokio::test]
async fn a_restricted_patient_opens_only_with_a_stated_reason() {
    let clinician = through_server("dr.okafor").await;
    let refused = clinician.patients().find("999 186 0916").await.unwrap_err();
    assert_eq!(refused.code(), ApiErrorCode::ReasonRequired);
    let out = cli(
        &["find", "--user", "dr.okafor", "999 186 0916"],
        &password("dr.okafor"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("restricted"));
    let out = cli(
        &[
            "find",
            "--user",
            "dr.okafor",
            "--reason",
            "safeguarding",
            "999 186 0916",
        ],
        &password("dr.okafor"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("RESTRICTED RECORD"));
}

#[tokio::test]
async fn the_cli_imports_patients_through_the_server_with_a_report_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pas.csv");
    std::fs::write(
        &file,
        "nhs_number,mrn,given_name,family_name,birth_date,gender,postcode\n\
         944 930 7202,30000101,Nia,Banda,1987-04-05,female,NE1 4LP\n\
         944 930 7203,30000102,Bad,Check,1987-04-05,male,NE1 4LP\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = cli(
        &["patients", "import", "--user", "admin.byrne", path],
        &password("admin.byrne"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "a refused row fails the run");
    assert!(
        stdout.contains("30000101") && stdout.contains("created"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line    3") && stdout.contains("NHS number"),
        "{stdout}"
    );
    let again = cli(
        &["patients", "import", "--user", "admin.byrne", path],
        &password("admin.byrne"),
    );
    assert!(String::from_utf8_lossy(&again.stdout)
        .contains("0 created, 0 updated, 1 unchanged, 1 refused"));
    let found = cli(
        &["find", "--user", "dr.okafor", "944 930 7202"],
        &password("dr.okafor"),
    );
    assert!(String::from_utf8_lossy(&found.stdout).contains("BANDA, Nia"));
    let clinician = cli(
        &["patients", "import", "--user", "dr.okafor", path],
        &password("dr.okafor"),
    );
    assert!(String::from_utf8_lossy(&clinician.stderr).contains("role does not allow"));
}

/// The client keeps Cognito sessions only: no AWS key of any kind in its folders on disk.
#[tokio::test]
async fn no_aws_access_key_is_kept_in_the_clients_config_or_data_folders() {
    let clinician = through_server("dr.okafor").await;
    clinician.patients().find("943 476 5919").await.unwrap();
    let c = cloud();
    let needles = [
        "AKIA".to_string(),
        c.report.server_access_key_id.clone(),
        c.report.server_secret_access_key.clone(),
        chartdesk::cloud::SANDBOX_SECRET_KEY.to_string(),
    ];
    let mut stack = vec![c.folders.config.clone(), c.folders.data.clone()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            for needle in &needles {
                assert!(
                    !text.contains(needle.as_str()),
                    "{} holds an AWS key",
                    path.display()
                );
            }
        }
    }
    assert!(files > 0, "the folders were searched");
}

#[tokio::test]
async fn a_cached_patient_made_restricted_elsewhere_needs_a_reason_at_the_next_revalidation() {
    use chartdesk_domain::{keys, Category, Mrn, Patient};
    use chartdesk_records::store::object_store::Write;
    crate::local_cloud::seed_patient("20000120", &[Category::Lab]).await;
    let switch = crate::network_switch::NetworkSwitch::start(&cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s =
        crate::network_switch::signed_in_via(&switch, dir.path(), "stale-flag", "dr.okafor").await;
    s.patients().find("MRN 20000120").await.unwrap();
    assert!(
        s.patients().revalidate("20000120").await.unwrap().is_none(),
        "unchanged: the copy on screen is current"
    );

    // A records admin restricts the record; no document changes.
    let store = cloud().admin_store().await;
    let mrn = Mrn::from_stored("20000120").unwrap();
    let stored = store
        .get_json::<Patient>(&keys::patient(&mrn))
        .await
        .unwrap()
        .unwrap();
    let mut patient = stored.value;
    patient.flags.restricted = true;
    store
        .put_json(&keys::patient(&mrn), &patient, Write::IfMatch(stored.etag))
        .await
        .unwrap();
    let refused = s.patients().revalidate("20000120").await.unwrap_err();
    assert_eq!(refused.code(), ApiErrorCode::ReasonRequired);
}

#[tokio::test]
async fn the_access_history_pages_through_every_event_once_newest_first() {
    let mrn = "30006221";
    crate::local_cloud::seed_patient(mrn, &[]).await;
    let admin = through_server("admin.byrne").await;
    // Each find is audited: more events than two pages of two hold.
    for _ in 0..4 {
        admin.patients().find(&format!("MRN {mrn}")).await.unwrap();
    }
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = admin
            .admin()
            .access_history_page(mrn, after.as_deref(), Some(2))
            .await
            .unwrap();
        assert!(page.events.len() <= 2, "a page holds at most its limit");
        paged.extend(page.events);
        pages += 1;
        assert!(pages < 20, "the pages come to an end");
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert!(pages >= 3 && paged.len() >= 5, "{pages} pages, {paged:?}");
    let ids: Vec<_> = paged.iter().map(|e| e.event_id).collect();
    let once: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(once.len(), ids.len(), "each event once: {paged:?}");
    let at = |e: &chartdesk_domain::AuditEvent| {
        time::OffsetDateTime::parse(&e.at, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert!(
        paged.windows(2).all(|w| at(&w[0]) >= at(&w[1])),
        "newest first: {paged:?}"
    );
    // The whole history in one page, read after: the pages were all of it as it stood when
    // the first was read (only the reads of the later pages, and this one, are newer).
    let whole = admin
        .admin()
        .access_history_page(mrn, None, Some(1000))
        .await
        .unwrap();
    assert!(whole.next.is_none());
    let all: Vec<_> = whole.events.iter().map(|e| e.event_id).collect();
    assert!(all.ends_with(&ids), "{all:?} ends with {ids:?}");
    assert_eq!(
        all.len() - ids.len(),
        pages,
        "one newer read per later page and this one"
    );
}

#[tokio::test]
async fn the_access_history_of_a_restricted_record_goes_with_the_reason_given_for_it() {
    let admin = through_server("admin.byrne").await;
    let refused = admin.admin().access_history("10000007").await.unwrap_err();
    assert_eq!(refused.code(), ApiErrorCode::ReasonRequired);
    let reason =
        chartdesk_domain::StatedReason::parse(Some("safeguarding"), Some("review")).unwrap();
    admin
        .patients()
        .find_with_reason("999 186 0916", Some(reason))
        .await
        .unwrap();
    let rows = admin
        .admin()
        .access_history_rows("10000007", None)
        .await
        .unwrap()
        .rows;
    assert!(
        rows.iter().any(|r| r.actor == "admin.byrne"
            && r.action == "Read the access history"
            && r.reason.as_deref() == Some("Safeguarding concern: review")),
        "{rows:?}"
    );
}
