//! Find a patient by NHS number or MRN; banner and tile counts come from S3.

use chartdesk::UiError;
use chartdesk_api::ApiErrorCode;
use chartdesk_domain::Category;
use chartdesk_sandbox::demo_patients;

use crate::local_cloud::{cloud, run_cli};

#[tokio::test]
async fn lookup_by_nhs_number_shows_banner_and_tiles_from_the_manifest() {
    let services = cloud().signed_in("dr.okafor").await;
    let s = services.patients().find("943 476 5919").await.unwrap();
    assert_eq!(s.banner.nhs_number, "943 476 5919");
    assert_eq!(s.banner.mrn, "10000001");
    assert_eq!(s.banner.display_name, "WHITFIELD, Amara");
    assert_eq!(s.banner.birth_date, "1958-03-14");
    let tiles: Vec<_> = s
        .tiles
        .iter()
        .map(|t| (t.category, t.count, t.has_documents))
        .collect();
    assert_eq!(
        tiles,
        vec![
            (Category::Preop, 3, true),
            (Category::Lab, 2, true),
            (Category::Radiology, 1, true),
            (Category::Intraop, 0, false),
            (Category::OtNotes, 0, false),
            (Category::Postop, 0, false),
            (Category::Discharge, 1, true),
        ]
    );
    assert_eq!(
        s.tiles[1].accessible_name,
        "Lab, 2 documents, 0 of 2 verified"
    );
}

#[tokio::test]
async fn every_demo_patient_is_found_by_nhs_number_and_by_mrn_with_its_planned_counts() {
    let services = cloud().signed_in("nurse.hughes").await;
    for p in demo_patients() {
        // A restricted record opens only with a break-glass reason.
        let reason = || {
            p.restricted
                .then(|| chartdesk_domain::StatedReason::parse(Some("direct_care"), None).unwrap())
        };
        if p.restricted {
            let refused = services.patients().find(p.nhs_number).await.unwrap_err();
            assert_eq!(UiError::from(refused).code, ApiErrorCode::ReasonRequired);
        }
        let by_nhs = services
            .patients()
            .find_with_reason(p.nhs_number, reason())
            .await
            .unwrap();
        let by_mrn = services
            .patients()
            .find_with_reason(p.mrn, reason())
            .await
            .unwrap();
        assert_eq!(by_nhs.banner.mrn, p.mrn);
        assert_eq!(by_mrn.banner.nhs_number.replace(' ', ""), p.nhs_number);
        let counts: Vec<u32> = by_mrn.tiles.iter().map(|t| t.count).collect();
        let planned: Vec<u32> = p.documents.iter().map(|&n| u32::from(n)).collect();
        assert_eq!(counts, planned, "MRN {}", p.mrn);
        assert_eq!(by_nhs.banner.restricted, p.restricted);
        assert_eq!(by_nhs.banner.superseded, p.superseded);
    }
}

#[tokio::test]
async fn a_valid_nhs_number_with_no_patient_is_not_found() {
    let services = cloud().signed_in("dr.okafor").await;
    let err = UiError::from(services.patients().find("999 000 0018").await.unwrap_err());
    assert_eq!(err.code, ApiErrorCode::NotFound);
    assert_eq!(err.message, "No patient found with NHS number 999 000 0018");
    let err = UiError::from(services.patients().find("77777777").await.unwrap_err());
    assert_eq!(err.code, ApiErrorCode::NotFound);
    assert_eq!(err.message, "No patient found with MRN 77777777");
}

#[tokio::test]
async fn invalid_input_gets_the_messages_staff_know() {
    let services = cloud().signed_in("dr.okafor").await;
    for (input, message) in [
        ("", "Please supply an NHS number"),
        ("943 476 5918", "Invalid NHS number"),
        ("94347A5919", "Invalid NHS number"),
        ("../10000001", "Invalid NHS number"),
    ] {
        let err = UiError::from(services.patients().find(input).await.unwrap_err());
        assert_eq!(err.code, ApiErrorCode::InvalidInput, "{input:?}");
        assert_eq!(err.message, message, "{input:?}");
    }
}

#[tokio::test]
async fn a_user_in_no_group_cannot_open_records() {
    let services = cloud().signed_in("visitor.lee").await;
    let err = UiError::from(services.patients().find("943 476 5919").await.unwrap_err());
    assert_eq!(err.code, ApiErrorCode::Forbidden);
}

#[tokio::test]
async fn cli_find_prints_the_tiles_as_json() {
    let out = run_cli(
        &["find", "--user", "dr.okafor", "--json", "401 023 2137"],
        cloud().password("dr.okafor"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["banner"]["mrn"], "10000002");
    assert_eq!(json["tiles"][1]["count"], 3);
}

/// Role matrix for every record command so far (find patient): each demo user's group decides,
/// in the core, whatever the UI shows.
#[tokio::test]
async fn role_matrix_for_finding_a_patient() {
    let c = cloud();
    let expected = [
        ("dr.okafor", true),
        ("nurse.hughes", true),
        ("admin.byrne", true),
        ("visitor.lee", false),
    ];
    for (user, allowed) in expected {
        let services = c.signed_in(user).await;
        let result = services.patients().find("943 476 5919").await;
        assert_eq!(result.is_ok(), allowed, "{user}");
        if !allowed {
            assert_eq!(
                UiError::from(result.unwrap_err()).code,
                ApiErrorCode::Forbidden
            );
        }
    }
}

/// A valid NHS number starting with `first_nine`'s digits (the ninth moved until one checks).
fn nhs_number(first_nine: &str) -> String {
    let mut digits: Vec<u32> = first_nine.chars().filter_map(|c| c.to_digit(10)).collect();
    while chartdesk_domain::check_digit(&digits).is_none() {
        digits[8] = (digits[8] + 1) % 10;
    }
    digits.push(chartdesk_domain::check_digit(&digits).unwrap());
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect()
}

#[tokio::test]
async fn ten_digits_that_are_one_patients_nhs_number_and_anothers_mrn_are_never_answered_with_either(
) {
    // A's NHS number is B's MRN (the default MRN pattern admits ten digits).
    let shared = nhs_number("955502230");
    let admin = crate::local_cloud::cloud().signed_in("admin.byrne").await;
    let csv = format!(
        "nhs_number,mrn,given_name,family_name,birth_date,gender,postcode\n\
         {shared},30002501,Ann,Bynumber,1980-01-01,female,LS1 4AP\n\
         {},{shared},Ben,Bymrn,1980-01-01,male,LS1 4AP\n",
        nhs_number("955502240")
    );
    let report = admin.admin().import_patients(csv).await.unwrap();
    assert_eq!(report.created, 2, "{report:?}");

    let switch =
        crate::network_switch::NetworkSwitch::start(&crate::local_cloud::cloud().endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let s =
        crate::network_switch::signed_in_via(&switch, dir.path(), "ambiguous", "dr.okafor").await;
    // Only A is on this computer: the cache must not answer for the reading it lacks.
    s.patients().find("MRN 30002501").await.unwrap();
    let online = s.patients().find(&shared).await.unwrap_err();
    assert_eq!(online.code(), ApiErrorCode::AmbiguousQuery, "{online}");
    // The server's two readings reach the window as it words them.
    let offered = UiError::from(online).choices.unwrap_or_default();
    let queries: Vec<_> = offered.iter().map(|c| c.query.clone()).collect();
    assert_eq!(queries, [format!("NHS {shared}"), format!("MRN {shared}")]);
    let chosen = s.patients().find(&format!("NHS {shared}")).await.unwrap();
    assert_eq!(chosen.banner.mrn, "30002501");
    let chosen = s.patients().find(&format!("MRN {shared}")).await.unwrap();
    assert_eq!(chosen.banner.mrn, shared);

    // Offline, both cached: the same rule over the cache.
    crate::cache_per_patient::cut(&switch, &s).await;
    let offline = s.patients().find(&shared).await.unwrap_err();
    assert_eq!(offline.code(), ApiErrorCode::AmbiguousQuery, "{offline}");
    let chosen = s.patients().find(&format!("NHS {shared}")).await.unwrap();
    assert_eq!(chosen.banner.mrn, "30002501");
}
