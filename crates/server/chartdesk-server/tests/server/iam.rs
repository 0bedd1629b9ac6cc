//! The server's role, enforced: on a moto of its own with IAM enforcement on
//! (`POST /moto-api/reset-auth`), the server's credentials (the IAM user `sandbox up` makes with
//! the template's server policy) may write new audit events and manage records, but can neither
//! delete nor overwrite an audit event, and may delete document objects but never a patient's
//! manifest or demographics. moto evaluates Action and Resource only (ARCHITECTURE.md §7):
//! "never overwrite" comes from the create-only write (412), proved here on the same key.

use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::StoreError;
use chartdesk_sandbox::server_identity::ensure_server_user;
use serde_json::json;

use crate::harness::{free_port, moto_on, store_at};

#[tokio::test]
async fn the_servers_role_cannot_delete_or_overwrite_audit_events() {
    let port = free_port();
    let _moto = moto_on(port);
    let endpoint = format!("http://127.0.0.1:{port}");
    // Set up before enforcement: two buckets as in the template, one patient, one audit event.
    let admin_records = store_at(&endpoint, "records", "admin", "admin").await;
    let admin_audit = store_at(&endpoint, "audit", "admin", "admin").await;
    admin_records.ensure_bucket().await.unwrap();
    admin_audit.ensure_bucket().await.unwrap();
    let event = json!({"event": "seeded"});
    admin_records
        .put_json("patients/10000001/patient.json", &event, Write::Create)
        .await
        .unwrap();
    admin_audit
        .put_json("audit/2026/12/01/seeded.json", &event, Write::Create)
        .await
        .unwrap();
    let keys = ensure_server_user(&endpoint, "records", "audit")
        .await
        .unwrap();
    let reset = reqwest::Client::new()
        .post(format!("{endpoint}/moto-api/reset-auth"))
        .body("0")
        .send()
        .await
        .unwrap();
    assert!(reset.status().is_success());

    let records = store_at(
        &endpoint,
        "records",
        &keys.access_key_id,
        &keys.secret_access_key,
    )
    .await;
    let audit = store_at(
        &endpoint,
        "audit",
        &keys.access_key_id,
        &keys.secret_access_key,
    )
    .await;
    // What the server must be able to do.
    assert!(records
        .get_json::<serde_json::Value>("patients/10000001/patient.json")
        .await
        .unwrap()
        .is_some());
    records
        .put_json("patients/10000001/manifest.json", &event, Write::Create)
        .await
        .unwrap();
    audit
        .put_json("audit/2026/12/01/new.json", &event, Write::Create)
        .await
        .unwrap();
    assert!(audit
        .get_json::<serde_json::Value>("audit/2026/12/01/seeded.json")
        .await
        .unwrap()
        .is_some());
    // Records admins delete documents: their objects, never a manifest or demographics.
    let original = "patients/10000001/originals/docs/lab/0190a000-0000-7000-8000-000000000001.pdf";
    records
        .put_bytes(original, b"%PDF".to_vec(), "application/pdf", Write::Create)
        .await
        .unwrap();
    records.delete(original).await.unwrap();
    for kept in [
        "patients/10000001/manifest.json",
        "patients/10000001/patient.json",
    ] {
        assert!(
            matches!(records.delete(kept).await, Err(StoreError::Denied)),
            "delete {kept}"
        );
    }
    // A browser's export ZIP goes under exports/ (and nowhere else outside the records).
    records
        .put_bytes(
            "exports/a.zip",
            b"PK".to_vec(),
            "application/zip",
            Write::Create,
        )
        .await
        .unwrap();
    assert!(
        matches!(
            records
                .put_bytes("a.zip", b"PK".to_vec(), "application/zip", Write::Create)
                .await,
            Err(StoreError::Denied)
        ),
        "write outside patients/, lookup/ and exports/"
    );
    // What it must never do.
    assert!(
        matches!(
            audit.delete("audit/2026/12/01/seeded.json").await,
            Err(StoreError::Denied)
        ),
        "delete an audit event"
    );
    assert!(
        matches!(
            audit
                .put_json("audit/2026/12/01/seeded.json", &event, Write::Create)
                .await,
            Err(StoreError::Conflict)
        ),
        "overwrite an audit event"
    );
    assert!(
        matches!(
            audit
                .put_json("elsewhere/x.json", &event, Write::Create)
                .await,
            Err(StoreError::Denied)
        ),
        "write outside audit/"
    );
    // And the admin's unregistered key is refused once enforcement is on: the check is real.
    assert!(matches!(
        admin_audit.delete("audit/2026/12/01/seeded.json").await,
        Err(StoreError::Denied)
    ));
    assert!(admin_audit
        .get_json::<serde_json::Value>("audit/2026/12/01/seeded.json")
        .await
        .is_err());
}
