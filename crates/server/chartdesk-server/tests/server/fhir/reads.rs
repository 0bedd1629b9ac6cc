//! Search, read, paging and Binary over the demo records, in-process.

use std::collections::BTreeSet;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{by_nhs, fhir_get, spine_code, AMARA};
use crate::harness::token;
use crate::in_process::Local;

#[tokio::test]
async fn a_patient_found_by_nhs_number_is_a_uk_core_patient_and_reads_the_same_by_mrn() {
    let api = Local::demo().await;
    let doctor = token("dr.okafor").await;
    let path = format!("/fhir/R4/Patient?identifier={}", by_nhs(AMARA.1));
    let found = fhir_get(&api, Some(&doctor), &path, &[]).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.content_type, "application/fhir+json");
    assert_eq!(found.body["type"], "searchset");
    assert_eq!(found.body["total"], 1);
    let patient = &found.body["entry"][0]["resource"];
    assert_eq!(patient["id"], AMARA.0);
    let nhs = &patient["identifier"][0];
    assert_eq!(nhs["system"], "https://fhir.nhs.uk/Id/nhs-number");
    assert_eq!(nhs["value"], AMARA.1);
    assert_eq!(
        nhs["extension"][0]["valueCodeableConcept"]["coding"][0]["code"],
        "01"
    );
    assert_eq!(patient["identifier"][1]["value"], AMARA.0);
    assert_eq!(patient["name"][0]["family"], "Whitfield");
    assert_eq!(patient["birthDate"], "1958-03-14");
    assert_eq!(patient["address"][0]["postalCode"], "LS1 4AP");

    let read = fhir_get(
        &api,
        Some(&doctor),
        &format!("/fhir/R4/Patient/{}", AMARA.0),
        &[],
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(&read.body, patient);

    let mrn_system = patient["identifier"][1]["system"].as_str().unwrap();
    let by_mrn = format!("/fhir/R4/Patient?identifier={mrn_system}%7C{}", AMARA.0);
    let found = fhir_get(&api, Some(&doctor), &by_mrn, &[]).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(&found.body["entry"][0]["resource"], patient);
}

#[tokio::test]
async fn an_invalid_nhs_number_is_refused_and_an_unknown_one_finds_nobody() {
    let api = Local::demo().await;
    let doctor = token("dr.okafor").await;
    let bad = fhir_get(
        &api,
        Some(&doctor),
        &format!("/fhir/R4/Patient?identifier={}", by_nhs("9434765918")),
        &[],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(spine_code(&bad.body), Some("INVALID_NHS_NUMBER"));
    let path = format!(
        "/fhir/R4/DocumentReference?patient.identifier={}",
        by_nhs("9451600000")
    );
    let nobody = fhir_get(&api, Some(&doctor), &path, &[]).await;
    assert_eq!(nobody.status, 200, "{}", nobody.body);
    assert_eq!(nobody.body["total"], 0);
    let missing = fhir_get(&api, Some(&doctor), "/fhir/R4/Patient/99999999", &[]).await;
    assert_eq!(missing.status, 404);
    assert_eq!(spine_code(&missing.body), Some("PATIENT_NOT_FOUND"));
}

/// Every page of a search, following `next` from the first.
async fn every_page(api: &Local, token: &str, first: &str) -> (Vec<Value>, u64) {
    let (mut url, mut found, mut total) = (Some(first.to_string()), Vec::new(), 0);
    while let Some(at) = url {
        let page = fhir_get(api, Some(token), &at, &[]).await;
        assert_eq!(page.status, 200, "{}", page.body);
        total = page.body["total"].as_u64().unwrap();
        found.extend(page.body["entry"].as_array().cloned().unwrap_or_default());
        url = page.body["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .map(|l| l["url"].as_str().unwrap().to_string());
    }
    (found, total)
}

#[tokio::test]
async fn a_document_search_by_nhs_number_pages_to_the_end_and_filters_by_category_type_date_and_status(
) {
    let api = Local::demo().await;
    let doctor = token("dr.okafor").await;
    let search = format!(
        "/fhir/R4/DocumentReference?patient.identifier={}",
        by_nhs(AMARA.1)
    );
    let (entries, total) = every_page(&api, &doctor, &format!("{search}&_count=2")).await;
    let documents = api.manifest(AMARA.0).await.documents.len();
    assert_eq!((entries.len(), total as usize), (documents, documents));
    let ids: BTreeSet<&str> = entries
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), documents, "each document once");
    for entry in &entries {
        let document = &entry["resource"];
        assert_eq!(document["resourceType"], "DocumentReference");
        assert_eq!(document["status"], "current");
        assert_eq!(document["subject"]["identifier"]["value"], AMARA.1);
        assert_eq!(
            document["type"]["coding"][0]["system"],
            "http://snomed.info/sct"
        );
    }
    let (labs, total) = every_page(&api, &doctor, &format!("{search}&category=lab")).await;
    assert_eq!((labs.len(), total), (2, 2));
    assert!(labs
        .iter()
        .all(|e| e["resource"]["type"]["coding"][0]["code"] == "4241000179101"));
    let (none, _) = every_page(&api, &doctor, &format!("{search}&status=superseded")).await;
    assert!(none.is_empty());
    let lab_type = format!("{search}&type=http://snomed.info/sct%7C4241000179101&_count=1");
    let (typed, _) = every_page(&api, &doctor, &lab_type).await;
    assert_eq!(typed.len(), 2);
    let since = format!("{search}&date=ge2000-01-01&date=le2999-12-31&_count=3");
    assert_eq!(every_page(&api, &doctor, &since).await.0.len(), documents);
    let before = format!("{search}&date=lt2000-01-01");
    assert!(every_page(&api, &doctor, &before).await.0.is_empty());
    let unreadable = fhir_get(
        &api,
        Some(&doctor),
        &format!("{search}&date=01/01/2000"),
        &[],
    )
    .await;
    assert_eq!(unreadable.status, 400);
    assert_eq!(spine_code(&unreadable.body), Some("INVALID_PARAMETER"));
}

#[tokio::test]
async fn a_binary_redirects_to_the_original_whose_sha256_is_the_recorded_one() {
    let api = Local::demo().await;
    let nurse = token("nurse.hughes").await;
    let search = format!(
        "/fhir/R4/DocumentReference?patient.identifier={}&category=lab",
        by_nhs(AMARA.1)
    );
    let found = fhir_get(&api, Some(&nurse), &search, &[]).await;
    let document = &found.body["entry"][0]["resource"];
    let read = fhir_get(
        &api,
        Some(&nurse),
        &format!(
            "/fhir/R4/DocumentReference/{}",
            document["id"].as_str().unwrap()
        ),
        &[],
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(&read.body, document);
    let attachment = &document["content"][0]["attachment"];
    let binary = format!("/fhir/R4/{}", attachment["url"].as_str().unwrap());
    let redirect = fhir_get(&api, Some(&nurse), &binary, &[]).await;
    assert_eq!(redirect.status, 302, "{}", redirect.body);
    let bytes = api
        .store
        .fetch(redirect.location.as_deref().unwrap())
        .unwrap();
    let sha256 = hex::encode(Sha256::digest(&bytes));
    assert_eq!(attachment["extension"][0]["valueString"], sha256.as_str());
    assert_eq!(attachment["size"], bytes.len());
}

#[tokio::test]
async fn a_pending_document_is_listed_as_preliminary_and_its_binary_is_never_served() {
    let api = Local::new().await;
    let ids = api
        .patient_with_documents("42000101", "9451600000", 1)
        .await;
    let doctor = token("dr.okafor").await;
    let search = format!(
        "/fhir/R4/DocumentReference?patient.identifier={}",
        by_nhs("9451600000")
    );
    let found = fhir_get(&api, Some(&doctor), &search, &[]).await;
    let document = &found.body["entry"][0]["resource"];
    assert_eq!(document["docStatus"], "preliminary");
    assert!(document["content"][0]["attachment"].get("url").is_none());
    let binary = format!("/fhir/R4/Binary/42000101-{}", ids[0]);
    let refused = fhir_get(&api, Some(&doctor), &binary, &[]).await;
    assert_eq!(refused.status, 423, "{}", refused.body);
    assert!(refused.location.is_none());
    assert_eq!(refused.body["resourceType"], "OperationOutcome");
}
