//! Nothing disappears silently (issue 22 item 3): a replaced preop image is named in the
//! audit trail and still opens from the category's history; detached documents show there
//! too, and a delete leaves a tombstone saying who, when and why. In-process.

use chartdesk_sandbox::{demo_jpeg, demo_pdf};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

async fn add(api: &Local, t: &str, decl: &Value, body: &[u8]) {
    api.start_and_put(t, decl, body).await;
    let done = api.complete(t, std::slice::from_ref(decl)).await;
    assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    let id = decl["doc_id"].as_str().unwrap().parse().unwrap();
    api.process(decl["mrn"].as_str().unwrap(), id).await;
}

async fn history(api: &Local, user: &str, mrn: &str, category: &str) -> (u16, Value) {
    let path = format!("/v1/patients/{mrn}/document-history?category={category}");
    api.get(&token(user).await, &path).await
}

async fn audit_events(api: &Local, mrn: &str) -> Vec<Value> {
    let (status, body) = api
        .get(
            &token("admin.byrne").await,
            &format!("/v1/patients/{mrn}/audit"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_fourth_preop_image_names_the_replaced_one_in_the_audit_and_it_still_opens_from_the_history(
) {
    let api = Local::new().await;
    api.seed_patient("31000002").await;
    let nurse = token("nurse.hughes").await;
    let images: Vec<Vec<u8>> = (40..44u8).map(demo_jpeg).collect();
    let mut decls = Vec::new();
    for (i, jpeg) in images.iter().enumerate() {
        let mut decl = declaration(
            "31000002",
            "preop",
            &format!("site-{i}.jpg"),
            "image/jpeg",
            jpeg,
        );
        decl["replace_oldest"] = json!(i == 3);
        add(&api, &nurse, &decl, jpeg).await;
        decls.push(decl);
    }
    let oldest = decls[0]["doc_id"].as_str().unwrap();

    let replaced = audit_events(&api, "31000002")
        .await
        .into_iter()
        .find(|e| e["action"] == "replace");
    let replaced = replaced.expect("a Replace event");
    assert_eq!(replaced["doc_id"], oldest, "it names the old image");
    assert_eq!(replaced["actor"], "nurse.hughes");

    let dr = token("dr.okafor").await;
    let (_, list) = api
        .get(&dr, "/v1/patients/31000002/documents?category=preop")
        .await;
    let listed: Vec<&str> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(!listed.contains(&oldest), "not in the current list");

    let (status, h) = history(&api, "dr.okafor", "31000002", "preop").await;
    assert_eq!(status, 200, "{h}");
    let row = &h["rows"][0];
    assert_eq!(
        (row["id"].as_str(), row["status"].as_str()),
        (Some(oldest), Some("replaced"))
    );
    assert!(
        row["label"].as_str().unwrap().starts_with("Replaced "),
        "{row}"
    );
    assert_eq!(row["can_open"], true);

    let (status, access) = api
        .get(&dr, &format!("/v1/patients/31000002/documents/{oldest}"))
        .await;
    assert_eq!(status, 200, "{access}");
    let bytes = api.store.fetch(access["url"].as_str().unwrap()).unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        hex::encode(Sha256::digest(&images[0]))
    );
    let viewed = audit_events(&api, "31000002")
        .await
        .into_iter()
        .any(|e| e["action"] == "view" && e["doc_id"] == oldest && e["actor"] == "dr.okafor");
    assert!(viewed, "opened from the history: audited as a view");

    // Ward staff see neither the history nor the replaced image.
    assert_eq!(
        history(&api, "nurse.hughes", "31000002", "preop").await.0,
        403
    );
    let (status, _) = api
        .get(&nurse, &format!("/v1/patients/31000002/documents/{oldest}"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_detached_document_shows_in_the_history_and_a_deleted_one_leaves_a_tombstone_with_its_reason(
) {
    let api = Local::new().await;
    api.seed_patient("31000003").await;
    let nurse = token("nurse.hughes").await;
    let (a, b) = (demo_pdf("Lab", "to detach"), demo_pdf("Lab", "to delete"));
    let detach_me = declaration("31000003", "lab", "detach.pdf", "application/pdf", &a);
    let delete_me = declaration(
        "31000003",
        "lab",
        "wrong-patient.pdf",
        "application/pdf",
        &b,
    );
    add(&api, &nurse, &detach_me, &a).await;
    add(&api, &nurse, &delete_me, &b).await;
    let admin = token("admin.byrne").await;
    let (detached, deleted) = (
        detach_me["doc_id"].as_str().unwrap(),
        delete_me["doc_id"].as_str().unwrap(),
    );
    let (status, _) = api
        .post(
            &admin,
            &format!("/v1/patients/31000003/documents/{detached}/detach"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);

    let path = format!("/v1/patients/31000003/documents/{deleted}");
    let delete = |body: Option<Value>| {
        let (api, admin, path) = (&api, &admin, &path);
        async move { api.request("DELETE", admin, path, &[], body.as_ref()).await }
    };
    let (status, body) = delete(None).await;
    assert_eq!(status, 400, "a delete needs a reason: {body}");
    let (status, body) = delete(Some(json!({ "reason": "   " }))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_input"))
    );
    let (status, _) = delete(Some(json!({ "reason": "Filed to the wrong patient" }))).await;
    assert_eq!(status, 204);
    let (status, _) = delete(Some(json!({ "reason": "again" }))).await;
    assert_eq!(status, 404, "a tombstone is not deleted twice");

    let (status, h) = history(&api, "admin.byrne", "31000003", "lab").await;
    assert_eq!(status, 200, "{h}");
    let rows = h["rows"].as_array().unwrap();
    let tomb = rows
        .iter()
        .find(|r| r["id"] == deleted)
        .expect("a tombstone");
    assert_eq!(tomb["status"], "deleted");
    assert_eq!(tomb["can_open"], false);
    assert_eq!(tomb["file_name"], "", "a deleted file's name is not kept");
    let label = tomb["label"].as_str().unwrap();
    assert!(
        label.starts_with("Deleted by admin.byrne on ")
            && label.ends_with(": Filed to the wrong patient"),
        "{label}"
    );
    let kept = rows
        .iter()
        .find(|r| r["id"] == detached)
        .expect("the detached one");
    assert!(kept["label"]
        .as_str()
        .unwrap()
        .starts_with("Detached by admin.byrne on "));
    assert_eq!(kept["can_open"], true);

    let dr = token("dr.okafor").await;
    let open = |id: &str| format!("/v1/patients/31000003/documents/{id}");
    assert_eq!(
        api.get(&dr, &open(detached)).await.0,
        200,
        "a detached document opens from the history"
    );
    assert_eq!(
        api.get(&dr, &open(deleted)).await.0,
        404,
        "a tombstone never opens"
    );
}
