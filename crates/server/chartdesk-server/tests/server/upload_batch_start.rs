//! Several uploads started in one request: each patient visited once, each upload begun as a
//! single start begins it, and a refusal answered for its own upload only.

use chartdesk::sandbox::demo_pdf;
use serde_json::json;

use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

const MRN: &str = "38000001";

fn pdfs(n: usize) -> Vec<(serde_json::Value, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let pdf = demo_pdf("Lab", &format!("batch start {i}"));
            let decl = declaration(MRN, "lab", "result.pdf", "application/pdf", &pdf);
            (decl, pdf)
        })
        .collect()
}

#[tokio::test]
async fn a_batch_start_answers_each_upload_in_order_and_visits_the_patient_once() {
    let api = Local::new().await;
    api.seed_patient(MRN).await;
    let t = token("nurse.hughes").await;

    // Three started one by one: what the store is asked.
    let reads = api.store.reads();
    for (decl, _) in pdfs(3) {
        assert_eq!(api.post(&t, "/v1/uploads", &decl).await.0, 200);
    }
    let alone = api.store.reads() - reads;

    // Three good ones, a disguised type and an unknown patient, in one request.
    let good = pdfs(3);
    let exe = b"MZ not a pdf at all".to_vec();
    let wrong = declaration(MRN, "lab", "tool.exe", "application/x-msdownload", &exe);
    let elsewhere = declaration(
        "38999999",
        "lab",
        "result.pdf",
        "application/pdf",
        &good[0].1,
    );
    let mut uploads: Vec<_> = good.iter().map(|(d, _)| d.clone()).collect();
    uploads.push(wrong);
    uploads.push(elsewhere);
    let reads = api.store.reads();
    let (status, answer) = api
        .post(&t, "/v1/uploads/batch", &json!({ "uploads": uploads }))
        .await;
    assert_eq!(status, 200, "{answer}");
    let together = api.store.reads() - reads;
    assert!(
        together < alone,
        "a batch of 3 read {together}, 3 alone {alone}"
    );
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for (result, sent) in results.iter().zip(&uploads) {
        assert_eq!(result["doc_id"], sent["doc_id"], "in the order sent");
    }
    for result in &results[..3] {
        assert!(result["error"].is_null(), "{result}");
        assert!(result["started"]["objects"][0]["put"]["url"].is_string());
    }
    assert_eq!(
        results[3]["error"]["code"], "invalid_input",
        "{}",
        results[3]
    );
    assert_eq!(results[4]["error"]["code"], "not_found", "{}", results[4]);

    // The batch's uploads then complete as any others.
    for ((decl, pdf), result) in good.iter().zip(results) {
        api.put_presigned(&result["started"]["objects"][0]["put"], pdf)
            .unwrap();
        let done = api.complete(&t, std::slice::from_ref(decl)).await;
        assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    }
}

#[tokio::test]
async fn an_empty_or_oversized_batch_and_a_role_that_may_not_upload_are_refused_whole() {
    let api = Local::new().await;
    api.seed_patient(MRN).await;
    let t = token("nurse.hughes").await;
    let (status, _) = api
        .post(&t, "/v1/uploads/batch", &json!({ "uploads": [] }))
        .await;
    assert_eq!(status, 400);
    let many: Vec<_> = (0..101).map(|_| pdfs(1).remove(0).0).collect();
    let (status, body) = api
        .post(&t, "/v1/uploads/batch", &json!({ "uploads": many }))
        .await;
    assert_eq!(status, 400, "{body}");
    let clinician = token("dr.okafor").await;
    let (status, _) = api
        .post(
            &clinician,
            "/v1/uploads/batch",
            &json!({ "uploads": [pdfs(1).remove(0).0] }),
        )
        .await;
    assert_eq!(status, 403);
}
