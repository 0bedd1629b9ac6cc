//! A patient of a test's own, written straight to the bucket as an administrator would: one PDF
//! per category asked for, uploaded by nurse.hughes, scanned clean. A test (Rust or e2e) that
//! changes documents then never races the tests that count the demo patients' documents, and
//! can run alone. No NHS lookup points at it: it is found by its MRN only.

use time::{Date, OffsetDateTime};

use super::demo_files::demo_pdf;
use super::ProvisionError;
use chartdesk_domain::{
    check_digit, keys, sha256_hex, Category, DocumentEntry, DocumentStatus, Gender, Manifest, Mrn,
    NhsNumber, Patient, PatientFlags, ScanStatus,
};
use chartdesk_records::store::object_store::{StoreError, Write};
use chartdesk_records::store::RecordStore;

/// Writes the record and its documents (objects first, manifest last); refused with
/// `StoreError::Conflict` when the MRN is taken.
pub async fn seed_patient(
    store: &dyn RecordStore,
    mrn: &Mrn,
    categories: &[Category],
    now: OffsetDateTime,
) -> Result<Patient, ProvisionError> {
    let patient = test_patient(mrn).ok_or(ProvisionError::Store(StoreError::Corrupt))?;
    store
        .put_json(&keys::patient(mrn), &patient, Write::Create)
        .await?;
    let mut manifest = Manifest::new();
    for &category in categories {
        let id = uuid::Uuid::now_v7();
        let pdf = demo_pdf("Seeded report", "Integration test document");
        let key = keys::original(mrn, category, id, "pdf");
        store
            .put_bytes(&key, pdf.clone(), "application/pdf", Write::Create)
            .await?;
        manifest.add(DocumentEntry {
            id,
            category,
            file_name: format!("{}-seeded.pdf", category.id()),
            content_type: "application/pdf".into(),
            size: pdf.len() as u64,
            sha256: sha256_hex(&pdf),
            created: now,
            uploaded_by: "nurse.hughes".into(),
            variants: vec![],
            stamp: None,
            status: DocumentStatus::Attached,
            scan_status: ScanStatus::Clean,
            status_change: None,
            processing: None,
        });
    }
    chartdesk_records::create_manifest(store, mrn, &manifest).await?;
    Ok(patient)
}

/// The record for a seeded MRN: "Seeded Testpatient", with an NHS number made from the MRN's
/// digits (valid, so the server accepts it). `None` only for an MRN no digit can be made of.
pub fn test_patient(mrn: &Mrn) -> Option<Patient> {
    let mut digits: Vec<u32> = std::iter::once(9)
        .chain(mrn.as_ref().chars().filter_map(|c| c.to_digit(10)))
        .collect();
    digits.resize(9, 0);
    // Of the ten ninth digits at most one leaves no valid check digit (Modulus 11).
    let ninth = digits[8];
    let check = (0..10).find_map(|step| {
        digits[8] = (ninth + step) % 10;
        check_digit(&digits)
    })?;
    let text: String = digits
        .iter()
        .chain(std::iter::once(&check))
        .filter_map(|d| char::from_digit(*d, 10))
        .collect();
    Some(Patient {
        mrn: mrn.clone(),
        nhs_number: NhsNumber::parse(&text).ok()?,
        given_name: "Seeded".into(),
        family_name: "Testpatient".into(),
        birth_date: Date::from_calendar_date(1970, time::Month::January, 1).ok()?,
        postcode: "ZZ99 3ZZ".into(),
        gender: Gender::Unknown,
        flags: PatientFlags::default(),
        superseded_by: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_patients_nhs_number_is_valid_and_made_from_its_mrn() {
        for mrn in ["40000001", "20000090", "6123000001", "A1"] {
            let mrn = Mrn::from_stored(mrn).unwrap();
            let patient = test_patient(&mrn).unwrap();
            let nhs = String::from(patient.nhs_number);
            assert!(NhsNumber::parse(&nhs).is_ok());
            let mrn_digits: String = mrn.as_ref().chars().filter(char::is_ascii_digit).collect();
            let from_mrn = &mrn_digits[..mrn_digits.len().min(7)];
            assert!(nhs[1..].starts_with(from_mrn), "{nhs} from {mrn_digits}");
        }
    }
}
