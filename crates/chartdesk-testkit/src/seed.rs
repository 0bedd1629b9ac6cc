//! Patients of a test's own, so a test that changes documents never races the tests that count
//! the demo patients' documents.

use chartdesk::cloud::object_store::Write;
use chartdesk::domain::{
    check_digit, keys, sha256_hex, Category, DocumentEntry, DocumentStatus, Manifest, Mrn, Patient,
    ScanStatus,
};
use chartdesk::sandbox::demo_pdf;

use crate::Cloud;

impl Cloud {
    /// Writes a patient record under `mrn` with one PDF per category given (uploaded by
    /// nurse.hughes, scanned clean), straight to the bucket as an administrator would.
    pub async fn seed_patient(&self, mrn: &str, categories: &[Category]) {
        let store = self.admin_store().await;
        let mrn = Mrn::from_stored(mrn).unwrap();
        store
            .put_json(&keys::patient(&mrn), &test_patient(&mrn), Write::Create)
            .await
            .unwrap();
        let mut manifest = Manifest::new();
        for &category in categories {
            let id = uuid::Uuid::now_v7();
            let pdf = demo_pdf("Seeded report", "Integration test document");
            let key = keys::original(&mrn, category, id, "pdf");
            // A seeded record is stamped with the real time, as an upload would be.
            #[allow(clippy::disallowed_methods)]
            let created = time::OffsetDateTime::now_utc();
            store
                .put_bytes(&key, pdf.clone(), "application/pdf", Write::Create)
                .await
                .unwrap();
            manifest.documents.push(DocumentEntry {
                id,
                category,
                file_name: format!("{}-seeded.pdf", category.id()),
                content_type: "application/pdf".into(),
                size: pdf.len() as u64,
                sha256: sha256_hex(&pdf),
                created,
                uploaded_by: "nurse.hughes".into(),
                variants: vec![],
                stamp: None,
                status: DocumentStatus::Attached,
                scan_status: ScanStatus::Clean,
                status_change: None,
            });
        }
        store
            .put_json(&keys::manifest(&mrn), &manifest, Write::Create)
            .await
            .unwrap();
    }
}

/// A patient record for a seeded MRN: its NHS number made from the MRN's digits (valid, so the
/// server accepts it; no NHS lookup points at it, so no other test finds it by number).
pub fn test_patient(mrn: &Mrn) -> Patient {
    let mut digits: Vec<u32> = mrn
        .as_ref()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    digits.insert(0, 9);
    digits.resize(9, 0);
    while check_digit(&digits).is_none() {
        digits[8] = (digits[8] + 1) % 10;
    }
    let check = check_digit(&digits).unwrap();
    let nhs: String = digits
        .iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect();
    serde_json::from_value(serde_json::json!({
        "mrn": mrn.as_ref(),
        "nhs_number": nhs,
        "given_name": "Seeded",
        "family_name": "Testpatient",
        "birth_date": "1970-01-01",
        "postcode": "ZZ99 3ZZ",
    }))
    .unwrap()
}
