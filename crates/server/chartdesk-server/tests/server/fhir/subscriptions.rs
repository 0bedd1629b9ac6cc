//! FHIR rest-hook subscriptions: registered by records admins to allow-listed endpoints, and
//! notified by the processing worker from each document change's audit event. The receiver is
//! a real HTTP server on loopback; the worker's delivery step runs in-process over the server's
//! stores, one audit event's notice at a time, as the queue hands them over.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use chartdesk_records::store::RecordStore;
use chartdesk_sandbox::demo_pdf;
use chartdesk_worker::subscriptions::Notifier;
use chartdesk_worker::{Notice, Scanner, Worker};
use serde_json::{json, Value};

use crate::harness::token;
use crate::in_process::Local;
use crate::uploads::declaration;

const SECRET: &str = "a-shared-secret-of-some-length";

/// One request the receiver saw: its secret header and its body.
type Request = (Option<String>, Vec<u8>);

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Request>>>);

impl Received {
    fn all(&self) -> Vec<Request> {
        self.0.lock().unwrap().clone()
    }
}

/// A receiver on 127.0.0.1 answering every POST with `status`; its endpoint URL.
async fn receiver(status: StatusCode) -> (String, Received) {
    let received = Received::default();
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                let secret = headers
                    .get("x-chartdesk-secret")
                    .map(|v| v.to_str().unwrap().to_string());
                seen.0.lock().unwrap().push((secret, body.to_vec()));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), received)
}

fn subscription(criteria: &str, endpoint: &str, secret: &str) -> Value {
    json!({
        "resourceType": "Subscription", "status": "requested", "reason": "EPR sync",
        "criteria": criteria,
        "channel": {"type": "rest-hook", "endpoint": endpoint,
                    "header": [format!("X-Chartdesk-Secret: {secret}")]},
    })
}

async fn subscribe(api: &Local, body: &Value) -> (u16, Value) {
    let admin = token("admin.byrne").await;
    api.request("POST", &admin, "/fhir/R4/Subscription", &[], Some(body))
        .await
}

/// The worker's delivery step over every audit event written since the last call.
struct Deliverer {
    worker: Worker,
    seen: HashSet<String>,
}

impl Deliverer {
    fn new(api: &Local) -> Self {
        let worker = api
            .worker(Scanner::GuardDuty, 1024)
            .with_notifier(Notifier {
                waits: vec![Duration::from_millis(10); 3],
                timeout: Duration::from_secs(5),
            });
        Self {
            worker,
            seen: HashSet::new(),
        }
    }

    async fn deliver(&mut self, api: &Local) {
        let audit: &dyn RecordStore = api.audit.as_ref();
        for key in audit
            .list_keys(chartdesk_records::audit::CHANGES_PREFIX)
            .await
            .unwrap()
        {
            if self.seen.insert(key.clone()) {
                self.worker
                    .handle(&Notice::Landed { key }, false)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Uploads (attached, then processed) one lab PDF; its document id.
async fn upload(api: &Local, mrn: &str, category: &str, n: u8) -> String {
    let nurse = token("nurse.hughes").await;
    let decl = api
        .sent_pdf(&nurse, mrn, category, &format!("line {n}"))
        .await;
    let done = api.complete(&nurse, std::slice::from_ref(&decl)).await;
    assert_eq!(done[0]["outcome"], "attached", "{done:?}");
    let id = decl["doc_id"].as_str().unwrap().to_string();
    api.process(mrn, id.parse().unwrap()).await;
    id
}

#[tokio::test]
async fn each_document_change_sends_one_empty_notification_with_the_secret_and_none_after_delete() {
    let api = Local::new().await;
    let (mrn, nhs) = ("34000001", "3400000019");
    assert_eq!(api.put_patient(mrn, nhs, false, false).await.0, 200);
    let (endpoint, received) = receiver(StatusCode::OK).await;
    let criteria =
        format!("DocumentReference?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}");
    let (status, created) = subscribe(&api, &subscription(&criteria, &endpoint, SECRET)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "active");
    assert!(!created.to_string().contains(SECRET), "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let mut worker = Deliverer::new(&api);

    let doc = upload(&api, mrn, "lab", 1).await;
    worker.deliver(&api).await;
    assert_eq!(received.all().len(), 2, "attached, then processed");
    let doctor = token("dr.okafor").await;
    let stamp = format!("/v1/patients/{mrn}/documents/{doc}/stamp");
    assert_eq!(api.post(&doctor, &stamp, &json!({})).await.0, 200);
    worker.deliver(&api).await;
    assert_eq!(received.all().len(), 3, "stamped");
    let admin = token("admin.byrne").await;
    let detach = format!("/v1/patients/{mrn}/documents/{doc}/detach");
    let (status, body) = api.request("POST", &admin, &detach, &[], None).await;
    assert_eq!(status, 204, "{body}");
    worker.deliver(&api).await;
    let all = received.all();
    assert_eq!(all.len(), 4, "detached");
    for (secret, body) in &all {
        assert_eq!(secret.as_deref(), Some(SECRET));
        assert!(body.is_empty(), "no patient data: the body is empty");
    }

    let path = format!("/fhir/R4/Subscription/{id}");
    let (status, _) = api.request("DELETE", &admin, &path, &[], None).await;
    assert_eq!(status, 204);
    upload(&api, mrn, "lab", 2).await;
    worker.deliver(&api).await;
    assert_eq!(
        received.all().len(),
        4,
        "none after the subscription was deleted"
    );
    assert_eq!(api.get(&admin, &path).await.0, 404);
    let actions: Vec<Value> = api
        .audit_events()
        .await
        .into_iter()
        .filter(|e| e["before"] == id.as_str() || e["after"] == id.as_str())
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(actions, vec![json!("subscribe"), json!("unsubscribe")]);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_then_the_subscription_reads_error_and_stays_so() {
    let api = Local::new().await;
    let mrn = "34000002";
    assert_eq!(
        api.put_patient(mrn, "3400000027", false, false).await.0,
        200
    );
    let (endpoint, received) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let body = subscription("DocumentReference?category=radiology", &endpoint, SECRET);
    let (status, created) = subscribe(&api, &body).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/fhir/R4/Subscription/{}", created["id"].as_str().unwrap());
    let mut worker = Deliverer::new(&api);
    let nurse = token("nurse.hughes").await;
    let pdf = demo_pdf("Scan", "one");
    let decl = declaration(mrn, "radiology", "scan.pdf", "application/pdf", &pdf);
    api.start_and_put(&nurse, &decl, &pdf).await;
    api.complete(&nurse, std::slice::from_ref(&decl)).await;
    worker.deliver(&api).await;
    assert_eq!(
        received.all().len(),
        4,
        "the first attempt and three retries"
    );
    let admin = token("admin.byrne").await;
    let (status, read) = api.get(&admin, &path).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["status"], "error");
    assert!(
        read["error"].as_str().unwrap().contains("HTTP 500"),
        "{read}"
    );
    api.process(mrn, decl["doc_id"].as_str().unwrap().parse().unwrap())
        .await;
    worker.deliver(&api).await;
    assert_eq!(
        received.all().len(),
        4,
        "an errored subscription is not revived"
    );
}

#[tokio::test]
async fn a_receiver_that_redirects_never_passes_the_secret_on() {
    let api = Local::new().await;
    let mrn = "34000005";
    assert_eq!(
        api.put_patient(mrn, "3400000051", false, false).await.0,
        200
    );
    let (elsewhere, bounced_to) = receiver(StatusCode::OK).await;
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let to = elsewhere.clone();
            async move { axum::response::Redirect::temporary(&to) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let body = subscription("DocumentReference?category=discharge", &endpoint, SECRET);
    let (status, created) = subscribe(&api, &body).await;
    assert_eq!(status, 201, "{created}");
    let mut worker = Deliverer::new(&api);
    let nurse = token("nurse.hughes").await;
    let pdf = demo_pdf("Letter", "discharge");
    let decl = declaration(mrn, "discharge", "letter.pdf", "application/pdf", &pdf);
    api.start_and_put(&nurse, &decl, &pdf).await;
    api.complete(&nurse, std::slice::from_ref(&decl)).await;
    worker.deliver(&api).await;
    assert!(bounced_to.all().is_empty(), "the redirect was not followed");
    let path = format!("/fhir/R4/Subscription/{}", created["id"].as_str().unwrap());
    let (_, read) = api.get(&token("admin.byrne").await, &path).await;
    assert_eq!(read["status"], "error", "{read}");
}

#[tokio::test]
async fn criteria_by_category_notify_only_for_that_category() {
    let api = Local::new().await;
    let mrn = "34000003";
    assert_eq!(
        api.put_patient(mrn, "3400000035", false, false).await.0,
        200
    );
    let (endpoint, received) = receiver(StatusCode::OK).await;
    let lab_secret = "lab-secret-lab-secret-lab";
    for (category, secret) in [
        ("lab", lab_secret),
        ("radiology", "radiology-secret-radiology"),
    ] {
        let criteria = format!("DocumentReference?category={category}");
        let (status, _) = subscribe(&api, &subscription(&criteria, &endpoint, secret)).await;
        assert_eq!(status, 201);
    }
    let mut worker = Deliverer::new(&api);
    upload(&api, mrn, "lab", 3).await;
    worker.deliver(&api).await;
    let secrets: Vec<_> = received.all().into_iter().map(|(s, _)| s).collect();
    assert_eq!(secrets, vec![Some(lab_secret.to_string()); 2]);
}

#[tokio::test]
async fn files_added_together_send_one_notice_to_each_subscription_any_of_them_matches() {
    let api = Local::new().await;
    let mrn = "34000006";
    assert_eq!(
        api.put_patient(mrn, "3400000701", false, false).await.0,
        200
    );
    let (endpoint, received) = receiver(StatusCode::OK).await;
    for category in ["lab", "radiology", "discharge"] {
        let criteria = format!("DocumentReference?category={category}");
        let secret = format!("{category}-secret-{category}-secret");
        let (status, _) = subscribe(&api, &subscription(&criteria, &endpoint, &secret)).await;
        assert_eq!(status, 201);
    }
    // Two lab results and a radiology report in one request: one audit event.
    let nurse = token("nurse.hughes").await;
    let mut decls = Vec::new();
    for (n, category) in ["lab", "lab", "radiology"].into_iter().enumerate() {
        decls.push(
            api.sent_pdf(&nurse, mrn, category, &format!("together {n}"))
                .await,
        );
    }
    let done = api.complete(&nurse, &decls).await;
    assert!(done.iter().all(|r| r["outcome"] == "attached"), "{done:?}");
    Deliverer::new(&api).deliver(&api).await;
    let mut secrets: Vec<_> = received.all().into_iter().filter_map(|(s, _)| s).collect();
    secrets.sort();
    assert_eq!(
        secrets,
        vec!["lab-secret-lab-secret", "radiology-secret-radiology-secret"],
        "one each, none for discharge"
    );
}

#[tokio::test]
async fn only_records_admins_register_subscriptions_and_only_to_allow_listed_endpoints() {
    let api = Local::new().await;
    let lab = "DocumentReference?category=lab";
    let listed = "http://127.0.0.1:9/hook";
    for user in ["nurse.hughes", "dr.okafor"] {
        let t = token(user).await;
        let body = subscription(lab, listed, SECRET);
        let (status, refused) = api
            .request("POST", &t, "/fhir/R4/Subscription", &[], Some(&body))
            .await;
        assert_eq!(status, 403, "{user}");
        assert_eq!(super::spine_code(&refused), Some("ACCESS_DENIED"));
        assert_eq!(api.get(&t, "/fhir/R4/Subscription").await.0, 403);
    }
    let elsewhere = subscription(lab, "https://elsewhere.example/hook", SECRET);
    let (status, refused) = subscribe(&api, &elsewhere).await;
    assert_eq!(status, 400);
    assert_eq!(super::spine_code(&refused), Some("INVALID_RESOURCE"));
    let (status, refused) =
        subscribe(&api, &subscription("Patient?name=smith", listed, SECRET)).await;
    assert_eq!(status, 400);
    let words = refused["issue"][0]["diagnostics"].as_str().unwrap();
    assert!(words.contains("DocumentReference?category="), "{words}");
    let (status, _) = subscribe(&api, &subscription(lab, listed, SECRET)).await;
    assert_eq!(status, 201);
    let admin = token("admin.byrne").await;
    let (status, bundle) = api.get(&admin, "/fhir/R4/Subscription").await;
    assert_eq!(status, 200);
    assert_eq!(bundle["total"], 1);
    assert_eq!(
        bundle["entry"][0]["resource"]["channel"]["header"][0],
        "X-Chartdesk-Secret: ****"
    );
    assert!(!bundle.to_string().contains(SECRET));
}

/// The whole path on the real parts: the server process with its worker polling moto's SQS,
/// told of each audit event by the bucket's notification.
#[tokio::test]
async fn the_running_server_s_worker_notifies_a_receiver_of_an_upload_through_the_queue() {
    let api = crate::harness::api();
    let admin = token("admin.byrne").await;
    let (mrn, nhs) = ("34000004", "3400000043");
    let registered = api
        .http
        .put(api.url(&format!("/v1/patients/{mrn}")))
        .bearer_auth(&admin)
        .json(&crate::break_glass_everyone::patient_body(nhs, false))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 200);
    let (endpoint, received) = receiver(StatusCode::OK).await;
    let criteria =
        format!("DocumentReference?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}");
    let (status, created) = api
        .post(
            &admin,
            "/fhir/R4/Subscription",
            &subscription(&criteria, &endpoint, SECRET),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/fhir/R4/Subscription/{}", created["id"].as_str().unwrap());
    let (status, read) = api.get(&admin, &path).await;
    assert_eq!(status, 200);
    let (_, all) = api.get(&admin, "/fhir/R4/Subscription").await;
    let said = super::validation::validated(&[created, read, all]);
    assert!(said.contains("checked 3 resources, 0 failed"), "{said}");
    let pdf = demo_pdf("Queued", "through the queue");
    let id = crate::processing::upload(mrn, "lab", "queued.pdf", "application/pdf", &pdf).await;
    crate::processing::processed(mrn, id).await;
    // Attached, then processed: two notifications, each as soon as the worker has it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while received.all().len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let all = received.all();
    assert_eq!(all.len(), 2, "one per change");
    assert!(all
        .iter()
        .all(|(secret, body)| secret.as_deref() == Some(SECRET) && body.is_empty()));
    let deleted = api
        .http
        .delete(api.url(&path))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}
