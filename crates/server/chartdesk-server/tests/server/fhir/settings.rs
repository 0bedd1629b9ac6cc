//! The trust's MRN identifier system as a setting (`CHARTDESK_FHIR_MRN_SYSTEM`).

use super::{fhir_get, spine_code, AMARA};
use crate::harness::token;
use crate::in_process::Local;

#[tokio::test]
async fn a_trusts_own_mrn_system_is_in_patient_answers_and_finds_by_mrn() {
    let system = "https://fhir.leedsth.nhs.uk/Id/mrn";
    let api = Local::demo_with(&[("CHARTDESK_FHIR_MRN_SYSTEM", system)]).await;
    let doctor = token("dr.okafor").await;
    let read = fhir_get(
        &api,
        Some(&doctor),
        &format!("/fhir/R4/Patient/{}", AMARA.0),
        &[],
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["identifier"][1]["system"], system);
    let by_mrn = format!("/fhir/R4/Patient?identifier={system}%7C{}", AMARA.0);
    let found = fhir_get(&api, Some(&doctor), &by_mrn, &[]).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body["entry"][0]["resource"]["id"], AMARA.0);
    let default = chartdesk_fhir::codes::DEFAULT_MRN_SYSTEM;
    let by_default = format!("/fhir/R4/Patient?identifier={default}%7C{}", AMARA.0);
    let refused = fhir_get(&api, Some(&doctor), &by_default, &[]).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(spine_code(&refused.body), Some("INVALID_PARAMETER"));
}
