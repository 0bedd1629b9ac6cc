//! Export: the server decides what may go and audits each file. Revalidation: a find with the
//! record's version answers 304 while nothing changed, and a changed demographic flag counts.
//! In-process, over the demo records.

use serde_json::json;

use crate::harness::token;
use crate::in_process::Local;

#[tokio::test]
async fn an_export_hands_out_each_attached_document_with_its_checksum_and_audits_each() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, granted) = api
        .post(
            &t,
            "/v1/patients/10000008/export",
            &json!({"categories": ["lab"]}),
        )
        .await;
    assert_eq!(status, 200, "{granted}");
    let documents = granted["documents"].as_array().unwrap();
    assert!(!documents.is_empty());
    for d in documents {
        assert_eq!(d["category"], "lab");
        assert_eq!(d["sha256"].as_str().unwrap().len(), 64);
        let bytes = api.store.fetch(d["url"].as_str().unwrap()).unwrap();
        assert_eq!(
            chartdesk_domain::sha256_hex(&bytes),
            d["sha256"].as_str().unwrap(),
            "the URL gives exactly the recorded bytes"
        );
    }
    let admin = token("admin.byrne").await;
    let (_, history) = api.get(&admin, "/v1/patients/10000008/audit").await;
    let exported: Vec<_> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "export" && e["actor"] == "dr.okafor")
        .map(|e| e["doc_id"].as_str().unwrap().to_string())
        .collect();
    for d in documents {
        assert!(
            exported
                .iter()
                .any(|id| id == d["doc_id"].as_str().unwrap()),
            "each exported file has its own event"
        );
    }
}

#[tokio::test]
async fn an_export_naming_a_document_not_in_the_record_is_refused_whole() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, body) = api
        .post(
            &t,
            "/v1/patients/10000008/export",
            &json!({"doc_ids": [uuid::Uuid::now_v7()], "categories": ["lab"]}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let (status, _) = api
        .post(&t, "/v1/patients/10000008/export", &json!({}))
        .await;
    assert_eq!(status, 404, "nothing chosen: nothing to export");
}

#[tokio::test]
async fn a_find_with_the_current_version_is_304_until_a_demographic_flag_changes() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, found) = api.get(&t, "/v1/patients?q=MRN%2010000009").await;
    assert_eq!(status, 200, "{found}");
    let version = found["version"].as_str().unwrap().to_string();
    let again = |v: String| {
        let (api, t) = (&api, t.clone());
        async move {
            let condition = [("if-none-match", v.as_str())];
            let path = "/v1/patients?q=MRN%2010000009";
            api.request("GET", &t, path, &condition, None).await
        }
    };
    assert_eq!(again(version.clone()).await.0, 304, "unchanged");

    // A records admin's change to the demographics alone (no new document), through the
    // registration route as the admin's screen sends it.
    let admin = token("admin.byrne").await;
    let body = json!({
        "nhs_number": "9990308241", "given_name": "Eleanor", "family_name": "Ashworth",
        "birth_date": "1938-02-11", "gender": "unknown", "postcode": "LS1 4AB",
    });
    let (status, answer) = api
        .request("PUT", &admin, "/v1/patients/10000009", &[], Some(&body))
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, changed) = again(version.clone()).await;
    assert_eq!(status, 200, "the changed demographics are sent again");
    assert_ne!(changed["version"].as_str().unwrap(), version);
    assert_eq!(changed["patient"]["postcode"], "LS1 4AB");
}

#[tokio::test]
async fn a_found_record_carries_only_attached_documents() {
    let api = Local::demo().await;
    let admin = token("admin.byrne").await;
    let (_, list) = api
        .get(&admin, "/v1/patients/10000003/documents?category=radiology")
        .await;
    let id = list["rows"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = api
        .post(
            &admin,
            &format!("/v1/patients/10000003/documents/{id}/detach"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, found) = api.get(&admin, "/v1/patients?q=MRN%2010000003").await;
    let documents = found["manifest"]["documents"].as_array().unwrap();
    assert!(
        documents.iter().all(|d| d["id"] != id.as_str()),
        "a detached document (perhaps misfiled) does not leave the server"
    );
    assert!(!documents.is_empty());
}
