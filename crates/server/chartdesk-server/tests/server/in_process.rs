//! The router in-process (`app(state).oneshot(..)`, no socket) over in-memory record stores:
//! rules, CAS and audit are tested without S3. Tokens still come from the local cloud's
//! Cognito and are verified as in production (JWKS, issuer, client, groups, session check).
//! Presigned URLs point into the in-memory store, so a test "sends" bytes through it.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use chartdesk_domain::{keys, Manifest, Mrn, Patient};
use chartdesk_records::manifest_store::write_manifest;
use chartdesk_records::read_manifest;
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::{InMemoryRecordStore, Presigned, RecordStore, StoreError};
use chartdesk_sandbox::{SANDBOX_BUCKET, SANDBOX_REGION};
use chartdesk_server::{app, AppState, ServerConfig};
use chartdesk_worker::{Handled, Notice, Scanner, Worker, WorkerSettings};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

use crate::break_glass_everyone::{lab_documents, patient_body, REASON};
use crate::harness::cloud;

/// The break-glass reason headers (`REASON`), as a client sends them.
pub const REASON_HEADERS: [(&str, &str); 2] = [
    ("x-chartdesk-break-glass-reason", REASON.0),
    ("x-chartdesk-break-glass-detail", REASON.1),
];

/// The server's state as the real process builds it, with the server's own least-privilege
/// keys, against the local cloud.
pub async fn moto_state() -> AppState {
    moto_state_with(&[]).await
}

/// As `moto_state`, with `extra` settings added or replacing the defaults.
pub async fn moto_state_with(extra: &[(&str, &str)]) -> AppState {
    let c = cloud();
    let settings = [
        ("CHARTDESK_BUCKET", SANDBOX_BUCKET),
        ("CHARTDESK_USER_POOL_ID", c.report.user_pool_id.as_str()),
        ("CHARTDESK_APP_CLIENT_ID", c.report.client_id.as_str()),
        ("AWS_REGION", SANDBOX_REGION),
        ("AWS_ENDPOINT_URL", c.endpoint.as_str()),
    ];
    let config = ServerConfig::from_lookup(|name| {
        let setting = |list: &[(&str, &str)]| {
            list.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        setting(extra).or_else(|| setting(&settings))
    })
    .unwrap();
    // Credentials given here: this test process has none in its environment.
    let keys = &c.report;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(SANDBOX_REGION))
        .endpoint_url(&c.endpoint)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            &keys.server_access_key_id,
            &keys.server_secret_access_key,
            None,
            None,
            "test",
        ))
        .load()
        .await;
    AppState::from_sdk(&config, &sdk)
}

/// One server in this process over its own empty in-memory stores.
pub struct Local {
    pub state: AppState,
    pub store: Arc<InMemoryRecordStore>,
    pub audit: Arc<InMemoryRecordStore>,
}

impl Local {
    pub async fn new() -> Self {
        let store = Arc::new(InMemoryRecordStore::new());
        let audit = Arc::new(InMemoryRecordStore::new());
        let state = moto_state().await.with_stores(store.clone(), audit.clone());
        Self {
            state,
            store,
            audit,
        }
    }

    /// A server over stores holding the sandbox's demo patients and documents, written by the
    /// sandbox's own seeding code (the same records the moto sandbox has).
    pub async fn demo() -> Self {
        Self::demo_with(&[]).await
    }

    /// As `demo`, for a server with `settings` of its own (a hospital's policy).
    pub async fn demo_with(settings: &[(&str, &str)]) -> Self {
        // Seeded once per test process (the image renditions are slow in a debug build),
        // then copied, so each test still changes records of its own.
        static SEEDED: tokio::sync::OnceCell<InMemoryRecordStore> =
            tokio::sync::OnceCell::const_new();
        let seeded = SEEDED
            .get_or_init(|| async {
                let store = InMemoryRecordStore::new();
                chartdesk_sandbox::seed_demo_records(&store).await.unwrap();
                store
            })
            .await;
        let store = Arc::new(seeded.copy_objects());
        let audit = Arc::new(InMemoryRecordStore::new());
        let state = moto_state_with(settings)
            .await
            .with_stores(store.clone(), audit.clone());
        Self {
            state,
            store,
            audit,
        }
    }

    /// Any request, with extra headers (a break-glass reason) and an optional JSON body.
    pub async fn request(
        &self,
        method: &str,
        token: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    /// A record's access history, read by a records admin with a stated reason (restricted
    /// records need one).
    pub async fn history(&self, mrn: &str) -> Vec<Value> {
        let admin = crate::harness::token("admin.byrne").await;
        let (status, body) = self
            .request(
                "GET",
                &admin,
                &format!("/v1/patients/{mrn}/audit"),
                &REASON_HEADERS,
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["events"].as_array().unwrap().clone()
    }

    /// PUT /v1/patients/{mrn} as records admin, with the break-glass reason or without.
    pub async fn put_patient(
        &self,
        mrn: &str,
        nhs: &str,
        restricted: bool,
        reason: bool,
    ) -> (u16, Value) {
        let admin = crate::harness::token("admin.byrne").await;
        let headers: &[(&str, &str)] = if reason { &REASON_HEADERS } else { &[] };
        let body = patient_body(nhs, restricted);
        let path = format!("/v1/patients/{mrn}");
        self.request("PUT", &admin, &path, headers, Some(&body))
            .await
    }

    /// A registered record with `n` attached lab documents in its manifest.
    pub async fn patient_with_documents(&self, mrn: &str, nhs: &str, n: usize) -> Vec<Uuid> {
        assert_eq!(self.put_patient(mrn, nhs, false, false).await.0, 200);
        let (manifest, ids) = lab_documents(n);
        self.replace_manifest(mrn, &manifest).await;
        ids
    }

    /// Stores `manifest` as the patient's, as the server stores it (in parts when long).
    pub async fn replace_manifest(&self, mrn: &str, manifest: &Manifest) {
        let mrn = Mrn::from_stored(mrn).unwrap();
        // Registering wrote the manifest (its demographics digest): these documents replace it.
        write_manifest(self.store.as_ref(), &mrn, manifest, Write::Overwrite, &[])
            .await
            .unwrap();
    }

    /// A patient record with no documents, as registration leaves it.
    pub async fn seed_patient(&self, mrn: &str) {
        let mrn = Mrn::from_stored(mrn).unwrap();
        let patient: Patient = serde_json::from_value(json!({
            "mrn": mrn.as_str(), "nhs_number": "9434765919", "given_name": "Test",
            "family_name": "Patient", "birth_date": "1970-01-01", "postcode": "LS1 4AP",
        }))
        .unwrap();
        let store: &dyn RecordStore = self.store.as_ref();
        store
            .put_json(&keys::patient(&mrn), &patient, Write::Create)
            .await
            .unwrap();
    }

    /// Runs the processing worker's pass on one uploaded document, as the queue would have it
    /// run: over this server's stores, with the local cloud's real clamd. Until then an upload
    /// is *queued* and nothing of it is handed out.
    pub async fn process(&self, mrn: &str, id: Uuid) -> Handled {
        let record = Mrn::from_stored(mrn).unwrap();
        let manifest = self.manifest(mrn).await;
        let entry = manifest.documents.iter().find(|d| d.id == id).unwrap();
        let ext = keys::extension_for(&entry.content_type).unwrap();
        let key = keys::original(&record, entry.category, id, ext);
        let worker = self.worker(Self::clamav(), 50 * 1024 * 1024);
        worker.handle(&Notice::Landed { key }, true).await.unwrap()
    }

    /// The processing worker over this server's stores, as the queue would run it.
    pub fn worker(&self, scanner: Scanner, max_bytes: u64) -> Worker {
        let settings = WorkerSettings { scanner, max_bytes };
        let now = Arc::new(time::OffsetDateTime::now_utc);
        Worker::new(self.store.clone(), self.audit.clone(), now, settings)
    }

    /// The sandbox's clamd, the scanner the local cloud runs.
    pub fn clamav() -> Scanner {
        Scanner::ClamAv {
            addr: chartdesk_testkit::cloud().sandbox().scanner_addr(),
        }
    }

    pub async fn send(&self, request: Request<Body>) -> (u16, Value) {
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 8 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let request = Request::get(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let request = Request::post(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// Starts an upload and sends `body` (which may differ from what was declared) as its
    /// presigned PUT says.
    pub async fn start_and_put(&self, token: &str, decl: &Value, body: &[u8]) -> Value {
        let (status, started) = self.post(token, "/v1/uploads", decl).await;
        assert_eq!(status, 200, "{started}");
        // Like S3, the store refuses a body that differs from its signed checksum.
        let _ = self.put_presigned(&started["objects"][0]["put"], body);
        started
    }

    /// A demo PDF reading `text`, declared, started and its bytes sent, not completed: its
    /// declaration, for `complete`.
    pub async fn sent_pdf(&self, token: &str, mrn: &str, category: &str, text: &str) -> Value {
        let pdf = chartdesk_sandbox::demo_pdf("Result", text);
        let decl =
            crate::uploads::declaration(mrn, category, "result.pdf", "application/pdf", &pdf);
        self.start_and_put(token, &decl, &pdf).await;
        decl
    }

    /// Sends `body` as a start answer's presigned PUT (`put`) says.
    pub fn put_presigned(&self, put: &Value, body: &[u8]) -> Result<String, StoreError> {
        let request = Presigned {
            method: put["method"].as_str().unwrap().into(),
            url: put["url"].as_str().unwrap().into(),
            headers: put["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let text = |k: &str| h[k].as_str().unwrap().to_string();
                    (text("name"), text("value"))
                })
                .collect(),
        };
        self.store.send(&request, body)
    }

    pub async fn complete(&self, token: &str, decls: &[Value]) -> Vec<Value> {
        let (status, done) = self
            .post(token, "/v1/uploads/complete", &json!({ "uploads": decls }))
            .await;
        assert_eq!(status, 200, "{done}");
        done["results"].as_array().unwrap().clone()
    }

    pub async fn manifest(&self, mrn: &str) -> Manifest {
        let mrn = Mrn::from_stored(mrn).unwrap();
        read_manifest(self.store.as_ref(), &mrn)
            .await
            .unwrap()
            .map(|v| v.value)
            .unwrap_or_default()
    }

    /// Every audit event the server wrote (the day copies and the per-patient copies).
    pub async fn audit_events(&self) -> Vec<Value> {
        let audit: &dyn RecordStore = self.audit.as_ref();
        let mut events = Vec::new();
        for key in audit.list_keys("").await.unwrap() {
            let (bytes, _) = audit.get_bytes(&key).await.unwrap().unwrap();
            events.push(serde_json::from_slice(&bytes).unwrap());
        }
        events
    }
}
