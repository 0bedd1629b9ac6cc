//! A patient opens in one request (issue 25 item 2): the find answers the banner, the tiles and
//! the first screen of the first blue tile (thumbnails inline), under one audit event; the list
//! pages the rest. In-process.

use std::collections::HashSet;

use serde_json::Value;

use crate::harness::token;
use crate::in_process::Local;

/// Distinct events (each is stored under its day and under its patient) for one record.
async fn events_for(api: &Local, mrn: &str) -> Vec<Value> {
    let mut seen = HashSet::new();
    let mut events: Vec<Value> = api
        .audit_events()
        .await
        .into_iter()
        .filter(|e| e["mrn"] == mrn && seen.insert(e["event_id"].to_string()))
        .collect();
    events.sort_by_key(|e| e["event_id"].to_string());
    events
}

#[tokio::test]
async fn a_find_answers_the_first_blue_tiles_first_screen_with_its_thumbnails_under_one_audit_event(
) {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let before = events_for(&api, "10000004").await.len();
    let (status, found) = api.get(&t, "/v1/patients?q=MRN%2010000004").await;
    assert_eq!(status, 200, "{found}");
    let first_blue = found["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["has_documents"] == true)
        .unwrap()["category"]
        .clone();
    let screen = &found["first_screen"];
    assert_eq!(screen["category"], first_blue, "{screen}");
    // The same rows, in the same order, as the category's list answers.
    let (_, list) = api
        .get(
            &t,
            &format!(
                "/v1/patients/10000004/documents?category={}",
                first_blue.as_str().unwrap()
            ),
        )
        .await;
    let ids = |rows: &Value| -> Vec<Value> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(ids(&screen["rows"]), ids(&list["rows"]));
    for row in screen["rows"].as_array().unwrap() {
        // Rows with a thumbnail carry it; rows without carry none.
        assert_eq!(
            row["thumbnail"].is_string(),
            row["thumbnail_url"].is_string()
        );
    }
    let events = events_for(&api, "10000004").await;
    // The find wrote one event, then the list its own two (rows and thumbnails).
    let find = &events[before];
    assert_eq!(find["action"], "find");
    assert_eq!(
        find["count"].as_u64().unwrap() as usize,
        screen["rows"].as_array().unwrap().len()
    );
    let by_find: Vec<_> = events[before..]
        .iter()
        .filter(|e| e["action"] == "find")
        .collect();
    assert_eq!(by_find.len(), 1, "{events:?}");
    let history = api.history("10000004").await;
    assert!(history.iter().any(|e| e["action"] == "find"));
}

#[tokio::test]
async fn the_find_answers_the_record_unless_asked_not_to() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (_, with) = api.get(&t, "/v1/patients?q=MRN%2010000004").await;
    assert!(with["manifest"].is_object() && with["patient"].is_object());
    let (status, without) = api
        .get(&t, "/v1/patients?q=MRN%2010000004&record=false")
        .await;
    assert_eq!(status, 200, "{without}");
    assert!(without.get("manifest").is_none() && without.get("patient").is_none());
    // The same first screen either way (its URLs are signed afresh).
    let ids = |v: &Value| -> Vec<Value> {
        v["first_screen"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(
        without["first_screen"]["category"],
        with["first_screen"]["category"]
    );
    assert_eq!(ids(&without), ids(&with));
}

#[tokio::test]
async fn a_restricted_record_without_a_reason_shows_no_rows_and_with_one_lists_them_under_break_glass(
) {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, body) = api.get(&t, "/v1/patients?q=MRN%2010000007").await;
    assert_eq!(status, 403);
    assert!(body.get("first_screen").is_none());
    let asked: Vec<_> = events_for(&api, "10000007").await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0]["action"], "asked_restricted");
    let reason = [
        ("x-chartdesk-break-glass-reason", "clinical_emergency"),
        ("x-chartdesk-break-glass-detail", "arrest%20call"),
    ];
    let (status, found) = api
        .request("GET", &t, "/v1/patients?q=MRN%2010000007", &reason, None)
        .await;
    assert_eq!(status, 200, "{found}");
    let events = events_for(&api, "10000007").await;
    assert_eq!(events.len(), 2, "one more event: {events:?}");
    assert_eq!(events[1]["action"], "break_glass");
    let shown = found["first_screen"]["rows"].as_array().map_or(0, Vec::len);
    assert_eq!(events[1]["count"].as_u64().unwrap_or(0) as usize, shown);
}

#[tokio::test]
async fn ward_staff_get_the_first_screen_without_stamp_or_remove_controls() {
    let api = Local::new().await;
    api.patient_with_documents("35000002", "3500000010", 3)
        .await;
    let t = token("nurse.hughes").await;
    let (status, found) = api.get(&t, "/v1/patients?q=MRN%2035000002").await;
    assert_eq!(status, 200, "{found}");
    let rows = found["first_screen"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert!(
            row["stamp_action"].is_null() && row["can_remove"] == false,
            "{row}"
        );
    }
}

#[tokio::test]
async fn list_pages_give_every_row_once_starting_from_the_finds_cursor() {
    let api = Local::new().await;
    let all = api
        .patient_with_documents("35000001", "3500000002", 30)
        .await;
    let t = token("dr.okafor").await;
    let (status, found) = api.get(&t, "/v1/patients?q=MRN%2035000001").await;
    assert_eq!(status, 200, "{found}");
    let screen = &found["first_screen"];
    assert_eq!(screen["category"], "lab");
    let mut seen: Vec<String> = screen["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen.len(), 12);
    let mut next = screen["next"].as_str().map(str::to_string);
    while let Some(after) = next {
        let path = format!("/v1/patients/35000001/documents?category=lab&limit=12&after={after}");
        let (status, page) = api.get(&t, &path).await;
        assert_eq!(status, 200, "{page}");
        let rows = page["rows"].as_array().unwrap();
        assert!(rows.len() <= 12);
        seen.extend(rows.iter().map(|r| r["id"].as_str().unwrap().to_string()));
        next = page["next"].as_str().map(str::to_string);
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row twice");
    let expected: HashSet<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), expected);
    let (status, _) = api
        .get(&t, "/v1/patients/35000001/documents?category=lab&limit=0")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_page_after_something_not_a_document_id_is_a_bad_query_and_an_upper_case_id_is_its_row() {
    let api = Local::new().await;
    api.patient_with_documents("35000004", "3500000037", 3)
        .await;
    let t = token("dr.okafor").await;
    let list = "/v1/patients/35000004/documents?category=lab&limit=1";
    let (status, first) = api.get(&t, list).await;
    assert_eq!(status, 200, "{first}");
    let next = first["next"].as_str().unwrap().to_string();
    // The same id in capitals names the same row: the next page, not "the list changed".
    let (status, page) = api
        .get(&t, &format!("{list}&after={}", next.to_uppercase()))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_ne!(page["rows"][0]["id"], first["rows"][0]["id"]);
    let (status, refused) = api.get(&t, &format!("{list}&after=page-2")).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["code"], "invalid_input", "{refused}");
    let said = refused["message"].as_str().unwrap();
    assert_ne!(
        said,
        chartdesk_domain::LIST_CHANGED,
        "not a list that changed"
    );
}

#[tokio::test]
async fn json_answers_are_gzipped_for_a_client_that_accepts_it() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let api = Local::new().await;
    api.patient_with_documents("35000003", "3500000029", 40)
        .await;
    let t = token("dr.okafor").await;
    let request = Request::get("/v1/patients?q=MRN%2035000003")
        .header("authorization", format!("Bearer {t}"))
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .unwrap();
    let answer = chartdesk_server::app(api.state.clone())
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-encoding"], "gzip");
    let bytes = axum::body::to_bytes(answer.into_body(), 8 << 20)
        .await
        .unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");
    // Without asking, the same route answers plain JSON.
    let (status, plain) = api.get(&t, "/v1/patients?q=MRN%2035000003").await;
    assert_eq!(
        (status, plain["banner"]["mrn"].as_str()),
        (200, Some("35000003"))
    );
}

#[tokio::test]
async fn the_record_alone_lists_no_rows_and_its_one_event_counts_none() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, found) = api
        .get(&t, "/v1/patients?q=MRN%2010000004&screen=false")
        .await;
    assert_eq!(status, 200, "{found}");
    assert!(found["manifest"].is_object() && found["patient"].is_object());
    assert!(found.get("first_screen").is_none(), "{found}");
    let events = events_for(&api, "10000004").await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["action"], "find");
    assert!(
        events[0].get("count").is_none_or(Value::is_null),
        "{}",
        events[0]
    );
}
