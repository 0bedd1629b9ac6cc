//! Every action leaves an audit event with the right actor, written before the change; when
//! the event cannot be written, the action is refused and nothing changes. In-process but for
//! the server with no audit bucket and the listing pages the SDK sends.

use chartdesk_domain::{keys, Manifest, Mrn};
use serde_json::json;

use crate::harness::{api, server_with_broken_audit, store, token, Api};
use crate::in_process::Local;

#[tokio::test]
async fn find_list_open_and_stamp_are_audited_with_their_actor() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    assert_eq!(api.get(&t, "/v1/patients?q=MRN%2010000012").await.0, 200);
    let (status, list) = api
        .get(&t, "/v1/patients/10000012/documents?category=lab")
        .await;
    assert_eq!(status, 200, "{list}");
    let rows = list["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let id = rows[0]["id"].as_str().unwrap();
    let stamp = api
        .post(
            &t,
            &format!("/v1/patients/10000012/documents/{id}/stamp"),
            &json!({}),
        )
        .await;
    assert_eq!(stamp.0, 200, "{}", stamp.1);
    assert_eq!(stamp.1["stamp"], "verified by dr.okafor");
    let again = api
        .post(
            &t,
            &format!("/v1/patients/10000012/documents/{id}/stamp"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (again.0, again.1["code"].as_str()),
        (409, Some("conflict")),
        "never overwritten"
    );
    let admin = token("admin.byrne").await;
    let (_, history) = api.get(&admin, "/v1/patients/10000012/audit").await;
    let events = history["events"].as_array().unwrap();
    for action in ["find", "list", "stamp"] {
        assert!(
            events
                .iter()
                .any(|e| e["action"] == action && e["actor"] == "dr.okafor"),
            "no {action} event by dr.okafor: {history}"
        );
    }
}

#[tokio::test]
async fn a_change_whose_audit_event_cannot_be_written_is_refused() {
    let broken = Api {
        http: reqwest::Client::new(),
        base: server_with_broken_audit().to_string(),
    };
    let ok = api();
    let t = token("dr.okafor").await;
    let (_, list) = ok
        .get(&t, "/v1/patients/10000004/documents?category=lab")
        .await;
    let id = list["rows"][0]["id"].as_str().unwrap().to_string();
    let mrn = Mrn::from_stored("10000004").unwrap();
    let before = store()
        .await
        .get_json::<Manifest>(&keys::manifest(&mrn))
        .await
        .unwrap()
        .unwrap();
    let (status, body) = broken
        .post(
            &t,
            &format!("/v1/patients/10000004/documents/{id}/stamp"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("unavailable")),
        "{body}"
    );
    let after = store()
        .await
        .get_json::<Manifest>(&keys::manifest(&mrn))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.etag, after.etag, "the manifest was not written");
    let (status, _) = broken.get(&t, "/v1/patients?q=MRN%2010000004").await;
    assert_eq!(status, 503, "an unaudited view is refused too");
}

#[tokio::test]
async fn offline_views_are_accepted_later_marked_as_reported_and_only_once() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let at = (time::OffsetDateTime::now_utc() - time::Duration::hours(3))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let client_id = uuid::Uuid::now_v7();
    let view = json!({ "views": [{
        "event_id": client_id, "mrn": "10000009", "doc_id": null, "at": at
    }]});
    for _ in 0..2 {
        let (status, body) = api.post(&t, "/v1/audit/offline-views", &view).await;
        assert_eq!(status, 200, "{body}");
    }
    let admin = token("admin.byrne").await;
    let (_, history) = api.get(&admin, "/v1/patients/10000009/audit").await;
    let reported: Vec<_> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["client_event_id"] == client_id.to_string())
        .collect();
    assert_eq!(reported.len(), 1, "a replay is kept once");
    assert_eq!(reported[0]["at"], at.as_str());
    assert!(reported[0]["reported_at"].is_string());
    // A desktop clock far ahead: the view cannot have happened then; it is refused, not moved.
    let ahead = uuid::Uuid::now_v7();
    let future = json!({ "views": [{
        "event_id": ahead, "mrn": "10000009", "doc_id": null, "at": "2099-01-01T00:00:00Z"
    }]});
    let (status, body) = api.post(&t, "/v1/audit/offline-views", &future).await;
    assert_eq!((status, body["refused"].as_u64()), (200, Some(1)), "{body}");
    let (_, history) = api.get(&admin, "/v1/patients/10000009/audit").await;
    assert!(history["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["client_event_id"] != ahead.to_string()));
    let bad = json!({ "views": [{
        "event_id": uuid::Uuid::now_v7(), "mrn": "10000009", "doc_id": null, "at": "yesterday"
    }]});
    assert_eq!(api.post(&t, "/v1/audit/offline-views", &bad).await.0, 400);
}

/// Notes the query of every listing the SDK sends (the request still goes to the local cloud).
#[derive(Debug, Clone, Default)]
struct Listings(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl aws_sdk_s3::config::Intercept for Listings {
    fn name(&self) -> &'static str {
        "listings"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_s3::config::RuntimeComponents,
        _: &mut aws_sdk_s3::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        let uri = context.request().uri();
        if uri.contains("list-type=2") {
            self.0.lock().unwrap().push(uri.to_string());
        }
        Ok(())
    }
}

#[tokio::test]
async fn the_older_events_are_listed_a_page_at_a_time_after_the_newer_ones() {
    use chartdesk_domain::AuditAction;
    use chartdesk_records::audit;
    use chartdesk_records::store::object_store::Write;
    use chartdesk_records::store::ObjectStore;
    let listings = Listings::default();
    let conf = crate::harness::s3()
        .await
        .config()
        .to_builder()
        .interceptor(listings.clone())
        .build();
    let store = ObjectStore::new(
        aws_sdk_s3::Client::from_conf(conf),
        chartdesk_sandbox::SANDBOX_BUCKET.into(),
    );
    let mrn = Mrn::from_stored("42000032").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let event = |action| audit::event(now, "dr.okafor", action, &mrn, None).1;
    // Five events kept the old way, one the server witnessed, one a desktop reported later.
    let mut legacy = Vec::new();
    for _ in 0..5 {
        let e = event(AuditAction::Find);
        let key = format!("audit/patients/{mrn}/{}.json", e.event_id);
        store.put_json(&key, &e, Write::Create).await.unwrap();
        legacy.push(e.event_id);
    }
    let witnessed = event(AuditAction::View);
    audit::write(&store, now, &witnessed).await.unwrap();
    let mut reported = event(AuditAction::View);
    reported.reported_at = Some("2026-01-01T00:00:00Z".into());
    audit::write(&store, now, &reported).await.unwrap();
    listings.0.lock().unwrap().clear();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = audit::history(&store, &mrn, 2, after.as_ref())
            .await
            .unwrap();
        assert!(page.events.len() <= 2);
        seen.extend(page.events.iter().map(|e| e.event_id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    // Every listing of the older events asked for no more keys than fitted on its page.
    let legacy_listings: Vec<Option<u32>> = listings
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|uri| uri.contains("prefix=audit%2Fpatients%2F"))
        .map(|uri| {
            let (_, max) = uri.split_once("max-keys=")?;
            max.split('&').next()?.parse().ok()
        })
        .collect();
    assert!(!legacy_listings.is_empty(), "the older events were listed");
    assert!(
        legacy_listings
            .iter()
            .all(|max| max.is_some_and(|m| m <= 2)),
        "each page lists only the older events that fit on it: {legacy_listings:?}"
    );
    let mut expected = vec![witnessed.event_id, reported.event_id];
    legacy.sort();
    expected.extend(legacy);
    assert_eq!(
        seen, expected,
        "witnessed, reported later, then the older ones, each once"
    );
}

#[tokio::test]
async fn a_refused_probe_is_audited_even_when_the_records_manifest_cannot_be_read() {
    use chartdesk_records::store::object_store::Write;
    use chartdesk_records::store::RecordStore;
    let api = Local::new().await;
    assert_eq!(
        api.put_patient("42000031", "9451600191", true, false)
            .await
            .0,
        200
    );
    // A damaged manifest: reading it fails, and used to cancel the probe's audit write.
    let mrn = Mrn::from_stored("42000031").unwrap();
    let store: &dyn RecordStore = api.store.as_ref();
    store
        .put_bytes(
            &keys::manifest(&mrn),
            b"{".to_vec(),
            "application/json",
            Write::Overwrite,
        )
        .await
        .unwrap();
    let t = token("dr.okafor").await;
    let (status, body) = api
        .get(&t, "/v1/patients/42000031/documents?category=lab")
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reason_required")),
        "{body}"
    );
    let probes = api
        .history("42000031")
        .await
        .into_iter()
        .filter(|e| e["action"] == "asked_restricted" && e["actor"] == "dr.okafor")
        .count();
    assert_eq!(probes, 1, "the refused probe left its trace");
}
