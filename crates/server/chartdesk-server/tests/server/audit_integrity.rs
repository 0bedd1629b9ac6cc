//! The audit trail cannot be flooded or reordered: reported offline reads are keyed by the
//! server, only for patients, documents and times that could be real; batches are capped; a
//! replay is stored once; the history is newest first by recorded time, a page at a time.
//! In-process, over in-memory stores.

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::harness::token;
use crate::in_process::{Local, REASON_HEADERS};

fn forged_id(n: usize) -> String {
    format!("ffffffff-ffff-7fff-bfff-{n:012}")
}

fn ago(d: Duration) -> String {
    (OffsetDateTime::now_utc() - d).format(&Rfc3339).unwrap()
}

fn view(id: &str, mrn: &str, doc: Option<Uuid>, at: &str) -> Value {
    json!({ "event_id": id, "mrn": mrn, "doc_id": doc, "at": at })
}

async fn report(api: &Local, user: &str, views: Vec<Value>) -> (u16, Value) {
    let t = token(user).await;
    api.post(&t, "/v1/audit/offline-views", &json!({ "views": views }))
        .await
}

fn client_ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["client_event_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn forged_offline_views_are_refused_and_the_real_break_glass_event_still_shows_first() {
    let api = Local::new().await;
    let docs = api
        .patient_with_documents("42000010", "9451600051", 1)
        .await;
    assert_eq!(
        api.put_patient("42000010", "9451600051", true, false)
            .await
            .0,
        200
    );
    let reason = [("x-chartdesk-break-glass-reason", "clinical_emergency")];
    let t = token("dr.okafor").await;
    let found = api
        .request("GET", &t, "/v1/patients?q=MRN%2042000010", &reason, None)
        .await;
    assert_eq!(found.0, 200, "{}", found.1);
    // 1,000 forged views in two full batches: years old, and for a patient not registered here.
    let old: Vec<Value> = (0..500)
        .map(|n| {
            view(
                &forged_id(n),
                "42000010",
                Some(docs[0]),
                "2020-01-01T00:00:00Z",
            )
        })
        .collect();
    let nobody: Vec<Value> = (500..1000)
        .map(|n| view(&forged_id(n), "42999999", None, &ago(Duration::hours(1))))
        .collect();
    // And a few more: a document not in the record, a time ahead of the server's clock.
    let odd = vec![
        view(
            &forged_id(1000),
            "42000010",
            Some(Uuid::now_v7()),
            &ago(Duration::hours(1)),
        ),
        view(&forged_id(1001), "42000010", None, "2099-01-01T00:00:00Z"),
    ];
    for (batch, n) in [(old, 500), (nobody, 500), (odd, 2)] {
        let (status, body) = report(&api, "nurse.hughes", batch).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["accepted"].as_u64(), body["refused"].as_u64()),
            (Some(0), Some(n))
        );
    }
    // Real-looking views dated now and 4 minutes ahead (within the clock skew allowed), with
    // ids that sort above every UUIDv7, in several full batches: stored, but never ahead of
    // what the server witnessed.
    for batch in 0..3 {
        let views: Vec<Value> = (0..200)
            .map(|n| {
                // Now, or 4 minutes ahead of the server's clock.
                let at = ago(-Duration::minutes(4 * (n % 2) as i64));
                view(
                    &forged_id(2000 + batch * 200 + n),
                    "42000010",
                    Some(docs[0]),
                    &at,
                )
            })
            .collect();
        let (status, body) = report(&api, "nurse.hughes", views).await;
        assert_eq!(
            (status, body["accepted"].as_u64()),
            (200, Some(200)),
            "{body}"
        );
    }
    // The panel's first page (200 rows): the break-glass first, then every other event the
    // server witnessed, and only then the reported ones, each marked as such.
    let (events, rows) = first_page(&api, "42000010").await;
    let first = events
        .iter()
        .find(|e| e["action"] != "read_history")
        .unwrap();
    assert_eq!(
        (first["action"].as_str(), first["actor"].as_str()),
        (Some("break_glass"), Some("dr.okafor")),
        "{first}"
    );
    let witnessed = rows
        .iter()
        .filter(|r| r["reported_offline"] == false)
        .count();
    assert!(witnessed >= 2, "the break-glass and the history reads");
    assert!(
        rows[..witnessed]
            .iter()
            .all(|r| r["reported_offline"] == false)
            && rows[witnessed..]
                .iter()
                .all(|r| r["reported_offline"] == true),
        "witnessed first, then the reported ones"
    );
    assert!(events[..witnessed]
        .iter()
        .all(|e| e["client_event_id"].is_null()));
    assert_eq!(rows.len(), 200, "the rest of the page is reported views");
    let stored = client_ids(&history_all(&api, "42000010").await);
    assert_eq!(stored.len(), 600, "only the plausible views, each once");
    assert!(events
        .iter()
        .all(|e| !e["event_id"].as_str().unwrap().starts_with("ffffffff")));
}

/// The history's first page as the panel asks for it: its events and rows.
async fn first_page(api: &Local, mrn: &str) -> (Vec<Value>, Vec<Value>) {
    let admin = token("admin.byrne").await;
    let path = format!("/v1/patients/{mrn}/audit");
    let (status, body) = api
        .request("GET", &admin, &path, &REASON_HEADERS, None)
        .await;
    assert_eq!(status, 200, "{body}");
    let list = |name: &str| body[name].as_array().unwrap().clone();
    (list("events"), list("rows"))
}

/// Every event of the history, across pages of 1000.
async fn history_all(api: &Local, mrn: &str) -> Vec<Value> {
    let admin = token("admin.byrne").await;
    let mut all = Vec::new();
    let mut path = format!("/v1/patients/{mrn}/audit?limit=1000");
    loop {
        let (status, page) = api
            .request("GET", &admin, &path, &REASON_HEADERS, None)
            .await;
        assert_eq!(status, 200, "{page}");
        all.extend(page["events"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => path = format!("/v1/patients/{mrn}/audit?limit=1000&after={next}"),
            None => return all,
        }
    }
}

#[tokio::test]
async fn a_batch_of_501_offline_views_is_refused_whole() {
    let api = Local::new().await;
    let docs = api
        .patient_with_documents("42000011", "9451600078", 1)
        .await;
    let batch: Vec<Value> = (0..501)
        .map(|_| {
            let id = Uuid::now_v7().to_string();
            view(&id, "42000011", Some(docs[0]), &ago(Duration::hours(1)))
        })
        .collect();
    let (status, body) = report(&api, "dr.okafor", batch).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
    assert!(
        client_ids(&api.history("42000011").await).is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn a_replayed_offline_batch_is_stored_once_under_the_servers_own_ids() {
    let api = Local::new().await;
    let docs = api
        .patient_with_documents("42000012", "9451600086", 1)
        .await;
    let ids: Vec<String> = (0..3).map(|_| Uuid::now_v7().to_string()).collect();
    let batch: Vec<Value> = ids
        .iter()
        .map(|id| view(id, "42000012", Some(docs[0]), &ago(Duration::minutes(30))))
        .collect();
    for _ in 0..2 {
        let (status, body) = report(&api, "dr.okafor", batch.clone()).await;
        assert_eq!(
            (status, body["accepted"].as_u64()),
            (200, Some(3)),
            "{body}"
        );
    }
    let events = api.history("42000012").await;
    let mut stored = client_ids(&events);
    stored.sort();
    let mut sent = ids.clone();
    sent.sort();
    assert_eq!(stored, sent, "each view once");
    for e in events.iter().filter(|e| e["client_event_id"].is_string()) {
        assert_ne!(e["event_id"], e["client_event_id"], "keyed by the server");
        assert!(e["reported_at"].is_string());
    }
}

#[tokio::test]
async fn an_offline_read_with_a_reason_shows_it_in_the_history() {
    let api = Local::new().await;
    let docs = api
        .patient_with_documents("42000013", "9451600094", 1)
        .await;
    let mut read = view(
        &Uuid::now_v7().to_string(),
        "42000013",
        None,
        &ago(Duration::hours(2)),
    );
    read["action"] = json!("list");
    read["count"] = json!(1);
    read["reason"] = json!("clinical_emergency");
    read["reason_detail"] = json!("arrest call");
    let (status, body) = report(&api, "dr.okafor", vec![read]).await;
    assert_eq!(
        (status, body["accepted"].as_u64()),
        (200, Some(1)),
        "{body}"
    );
    let _ = docs;
    let admin = token("admin.byrne").await;
    let (_, body) = api.get(&admin, "/v1/patients/42000013/audit").await;
    let row = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reported_offline"] == true)
        .unwrap_or_else(|| panic!("no offline row: {body}"))
        .clone();
    assert_eq!(row["action"], "Listed documents");
    assert_eq!(row["reason"], "Clinical emergency: arrest call");
    assert!(
        row["shown_at"].as_str().unwrap().ends_with("GMT")
            || row["shown_at"].as_str().unwrap().ends_with("BST"),
        "{row}"
    );
}

#[tokio::test]
async fn the_history_comes_a_page_at_a_time_newest_first() {
    let api = Local::new().await;
    let docs = api
        .patient_with_documents("42000014", "9451600108", 1)
        .await;
    let views: Vec<Value> = (1..=5)
        .map(|h| {
            let id = Uuid::now_v7().to_string();
            view(&id, "42000014", Some(docs[0]), &ago(Duration::hours(h)))
        })
        .collect();
    assert_eq!(report(&api, "dr.okafor", views).await.0, 200);
    let admin = token("admin.byrne").await;
    let mut seen: Vec<String> = Vec::new();
    let mut path = "/v1/patients/42000014/audit?limit=2".to_string();
    loop {
        let (status, page) = api.get(&admin, &path).await;
        assert_eq!(status, 200, "{page}");
        let events = page["events"].as_array().unwrap();
        assert!(events.len() <= 2);
        seen.extend(events.iter().map(|e| e["at"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => path = format!("/v1/patients/42000014/audit?limit=2&after={next}"),
            None => break,
        }
    }
    // Each page read is itself audited, so the first page's read is among the newest.
    let times: Vec<OffsetDateTime> = seen
        .iter()
        .map(|t| OffsetDateTime::parse(t, &Rfc3339).unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {seen:?}"
    );
    assert!(times.len() >= 6, "every event, across pages: {seen:?}");
}

#[tokio::test]
async fn an_audit_write_whose_patient_copy_is_taken_fails_and_still_writes_the_day_copy() {
    let api = Local::new().await;
    use chartdesk_domain::AuditAction;
    use chartdesk_domain::Mrn;
    use chartdesk_records::audit;
    use chartdesk_records::store::object_store::Write;
    let store: &dyn chartdesk_records::store::RecordStore = api.audit.as_ref();
    let mrn = Mrn::from_stored("42000015").unwrap();
    let at = OffsetDateTime::now_utc();
    let (day_key, event) = audit::event(at, "dr.okafor", AuditAction::View, &mrn, None);
    // Something else already holds this event's per-patient key.
    let mut other = event.clone();
    other.actor = "someone.else".into();
    let patient_key = audit::patient_key(&mrn, at, event.event_id);
    store
        .put_json(&patient_key, &other, Write::Create)
        .await
        .unwrap();
    assert!(
        audit::write(store, at, &event).await.is_err(),
        "a conflict with another event is no success: the patient's copy is missing"
    );
    let day = store
        .get_json::<chartdesk_domain::AuditEvent>(&day_key)
        .await
        .unwrap();
    assert_eq!(day.map(|v| v.value), Some(event.clone()), "never cancelled");
    // The same event written again (an SDK retry after a lost answer) is done.
    let (_, again) = audit::event(at, "dr.okafor", AuditAction::View, &mrn, None);
    audit::write(store, at, &again).await.unwrap();
    audit::write(store, at, &again).await.unwrap();
}
