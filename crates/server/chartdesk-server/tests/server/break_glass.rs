//! A restricted record opens only with a stated reason, and the reason is audited. In-process,
//! over the demo records.

use crate::harness::token;
use crate::in_process::Local;

const RESTRICTED: &str = "/v1/patients?q=999%20186%200916";

#[tokio::test]
async fn a_restricted_record_without_a_reason_is_refused() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, body) = api.get(&t, RESTRICTED).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "reason_required");
    let (status, body) = api
        .get(&t, "/v1/patients/10000007/documents?category=lab")
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reason_required"))
    );
    // "other" needs words of its own.
    let other = [("x-chartdesk-break-glass-reason", "other")];
    let (status, _) = api.request("GET", &t, RESTRICTED, &other, None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_stated_reason_opens_the_record_and_is_audited_as_break_glass() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let reason = [
        ("x-chartdesk-break-glass-reason", "clinical_emergency"),
        (
            "x-chartdesk-break-glass-detail",
            "arrest%20call%2C%20ward%207",
        ),
    ];
    let (status, body) = api.request("GET", &t, RESTRICTED, &reason, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["banner"]["mrn"], "10000007");
    assert_eq!(body["banner"]["restricted"], true);
    // The history of a restricted record needs a reason too (records admins included).
    let history = api.history("10000007").await;
    let found = history.iter().any(|e| {
        e["action"] == "break_glass"
            && e["actor"] == "dr.okafor"
            && e["reason"] == "clinical_emergency: arrest call, ward 7"
    });
    assert!(found, "no break-glass event with the reason: {history:?}");
}
