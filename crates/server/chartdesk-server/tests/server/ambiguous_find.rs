//! Ten digits that are a valid NHS number and a valid MRN (the default MRN pattern admits ten
//! digits): the find looks up both, and never silently picks one of two different patients.
//! In-process.

use crate::harness::token;
use crate::in_process::Local;

/// A valid NHS number starting with `first_nine`'s digits (the ninth moved until one checks).
fn nhs_number(first_nine: &str) -> String {
    let mut digits: Vec<u32> = first_nine.chars().filter_map(|c| c.to_digit(10)).collect();
    while chartdesk_domain::check_digit(&digits).is_none() {
        digits[8] = (digits[8] + 1) % 10;
    }
    let check = chartdesk_domain::check_digit(&digits).unwrap();
    digits.push(check);
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect()
}

async fn register(api: &Local, admin: &str, mrn: &str, nhs: &str, family: &str) {
    let body = serde_json::json!({
        "nhs_number": nhs, "given_name": "Test", "family_name": family,
        "birth_date": "1980-01-01", "gender": "unknown", "postcode": "LS1 4AP"
    });
    let path = format!("/v1/patients/{mrn}");
    let (status, body) = api.request("PUT", admin, &path, &[], Some(&body)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn ten_digits_that_are_one_patients_nhs_number_and_anothers_mrn_ask_which_is_meant() {
    let api = Local::new().await;
    let admin = token("admin.byrne").await;
    let clinician = token("dr.okafor").await;
    // A's NHS number is B's MRN.
    let shared = nhs_number("955501230");
    register(&api, &admin, "30007001", &shared, "Byhnumber").await;
    register(&api, &admin, &shared, &nhs_number("955501240"), "Bymrn").await;

    let (status, body) = api
        .get(&clinician, &format!("/v1/patients?q={shared}"))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "ambiguous_query");
    let spaced = format!("{} {} {}", &shared[..3], &shared[3..6], &shared[6..]);
    assert_eq!(
        body["message"],
        format!("{spaced} is both an NHS number and an MRN here: choose which you mean")
    );
    assert!(
        !body.to_string().contains("Byhnumber") && !body.to_string().contains("Bymrn"),
        "neither record is shown: {body}"
    );
    // The two readings, worded once by the server: the UI offers them as they are.
    assert_eq!(
        body["choices"],
        serde_json::json!([
            {"label": format!("NHS number {spaced}"), "query": format!("NHS {shared}")},
            {"label": format!("MRN {shared}"), "query": format!("MRN {shared}")},
        ])
    );

    // Each choice, made explicit, opens its own patient.
    let (status, by_nhs) = api
        .get(&clinician, &format!("/v1/patients?q=NHS%20{shared}"))
        .await;
    assert_eq!(status, 200, "{by_nhs}");
    assert_eq!(by_nhs["banner"]["mrn"], "30007001");
    let (status, by_mrn) = api
        .get(&clinician, &format!("/v1/patients?q=MRN%20{shared}"))
        .await;
    assert_eq!(status, 200, "{by_mrn}");
    assert_eq!(by_mrn["banner"]["mrn"], shared.as_str());
}

#[tokio::test]
async fn ten_digits_found_only_as_an_mrn_open_that_patient() {
    let api = Local::new().await;
    let admin = token("admin.byrne").await;
    let clinician = token("dr.okafor").await;
    // Valid as an NHS number, but no patient holds that number: only the MRN reading exists.
    let mrn = nhs_number("955501250");
    register(&api, &admin, &mrn, &nhs_number("955501260"), "Onlymrn").await;
    let (status, found) = api.get(&clinician, &format!("/v1/patients?q={mrn}")).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["banner"]["mrn"], mrn.as_str());
}

/// The events `actor` left on a record, by action.
fn actions_by(events: &[serde_json::Value], actor: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["actor"] == actor)
        .filter_map(|e| e["action"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_ambiguity_answer_leaves_an_event_on_both_records_even_a_restricted_one() {
    let api = Local::new().await;
    let admin = token("admin.byrne").await;
    let clinician = token("dr.okafor").await;
    // A's NHS number is B's MRN, and B is restricted: the 409 says both are registered here.
    let shared = nhs_number("955501270");
    register(&api, &admin, "30007101", &shared, "Plainrecord").await;
    let (status, body) = api
        .put_patient(&shared, &nhs_number("955501280"), true, false)
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = api
        .get(&clinician, &format!("/v1/patients?q={shared}"))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("ambiguous_query")),
        "{body}"
    );

    assert_eq!(
        actions_by(&api.history("30007101").await, "dr.okafor"),
        ["find"],
        "the record named by its NHS number"
    );
    assert_eq!(
        actions_by(&api.history(&shared).await, "dr.okafor"),
        ["asked_restricted"],
        "the restricted record named by its MRN, asked for without a reason"
    );
}
