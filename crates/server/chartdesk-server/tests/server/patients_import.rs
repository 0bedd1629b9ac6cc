//! Registering patients and importing a PAS extract: each row whole or not at all, a clear
//! message per refused row, and idempotent. In-process, beside the demo records.

use axum::body::Body;
use axum::http::Request;

use crate::harness::token;
use crate::in_process::Local;

const CSV: &str = "nhs_number,mrn,given_name,family_name,birth_date,gender,postcode
401 023 2138,20000001,Bad,Checkdigit,1970-01-01,female,LS1 4AP
,20000002,No,Number,1970-01-01,male,LS1 4AP
9449307105,20000003,Ada,Okonkwo,1971-02-03,female,ls2 9jt
9449307113,20000004,Ben,Future,2999-01-01,male,LS1 4AP
9449307121,20000005,Cat,Gender,1980-01-01,robot,LS1 4AP
9449307148,20000006,Dan,Postcode,1980-01-01,male,NOT A POSTCODE
9449307156,20000007,Eve,Good,1990-12-31,unknown,M13 9PL
9434765919,20000008,Dup,Nhs,1990-12-31,unknown,M13 9PL
";

async fn import(api: &Local, t: &str) -> serde_json::Value {
    let (status, body) = api.send(csv_import(t)).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn csv_import(t: &str) -> Request<Body> {
    Request::post("/v1/patients/import")
        .header("authorization", format!("Bearer {t}"))
        .header("content-type", "text/csv")
        .body(Body::from(CSV))
        .unwrap()
}

#[tokio::test]
async fn a_csv_import_reports_each_bad_row_and_lands_the_good_rows_once() {
    let api = Local::demo().await;
    let admin = token("admin.byrne").await;
    let report = import(&api, &admin).await;
    let rows = report["rows"].as_array().unwrap();
    let outcome = |line: u64| {
        let r = rows.iter().find(|r| r["line"] == line).unwrap();
        (
            r["outcome"].as_str().unwrap().to_string(),
            r["message"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(outcome(4).0, "created", "{report}");
    assert_eq!(outcome(8).0, "created", "{report}");
    for line in [2, 3, 5, 6, 7, 9] {
        assert_eq!(outcome(line).0, "refused", "line {line}: {report}");
    }
    assert!(outcome(2).1.contains("NHS number"), "{}", outcome(2).1);
    assert!(outcome(5).1.contains("birth date"), "{}", outcome(5).1);
    assert!(outcome(6).1.contains("gender"), "{}", outcome(6).1);
    assert!(outcome(7).1.contains("postcode"), "{}", outcome(7).1);
    assert!(outcome(9).1.contains("already belongs"), "{}", outcome(9).1);
    assert_eq!(
        (report["created"].as_u64(), report["refused"].as_u64()),
        (Some(2), Some(6))
    );
    // The new patient is found by NHS number, with the postcode in its usual form.
    let (status, found) = api.get(&admin, "/v1/patients?q=944%20930%207105").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["banner"]["mrn"], "20000003");
    assert_eq!(found["banner"]["postcode"], "LS2 9JT");
    // Again: nothing changes.
    let again = import(&api, &admin).await;
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    // Only records admins import.
    let (status, _) = api.send(csv_import(&token("dr.okafor").await)).await;
    assert_eq!(status, 403);
}
