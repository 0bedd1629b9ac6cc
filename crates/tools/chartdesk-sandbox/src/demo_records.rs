//! Writes the demo patients, NHS lookups, documents and manifests to a record store: the
//! sandbox's bucket, or a test's in-memory store (the same records either way).

use sha2::{Digest, Sha256};
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::demo_files::{demo_jpeg, demo_pdf, demo_tiff};
use super::demo_patients::{demo_patients, DemoPatient};
use super::ProvisionError;
use chartdesk_domain::{
    keys, Category, DocumentEntry, DocumentStatus, Manifest, Mrn, NhsNumber, Patient, PatientFlags,
    ScanStatus,
};
use chartdesk_records::store::object_store::{StoreError, Write};
use chartdesk_records::store::RecordStore;
use chartdesk_records::NhsLookup;

pub struct Counts {
    pub patients: usize,
    pub documents: usize,
}

pub async fn ensure(store: &dyn RecordStore) -> Result<Counts, ProvisionError> {
    let mut counts = Counts {
        patients: 0,
        documents: 0,
    };
    for demo in demo_patients() {
        let (mrn, patient) = to_patient(&demo)?;
        create_if_absent(store, &keys::patient(&mrn), &patient).await?;
        let lookup = NhsLookup {
            mrn: mrn.to_string(),
        };
        create_if_absent(store, &keys::nhs_lookup(&patient.nhs_number), &lookup).await?;
        counts.documents += ensure_documents(store, &demo, &mrn).await?;
        counts.patients += 1;
    }
    Ok(counts)
}

fn to_patient(demo: &DemoPatient) -> Result<(Mrn, Patient), ProvisionError> {
    let bad = || ProvisionError::Store(StoreError::Corrupt);
    let mrn = Mrn::from_stored(demo.mrn).map_err(|_| bad())?;
    let nhs_number = NhsNumber::parse(demo.nhs_number).map_err(|_| bad())?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let birth_date = Date::parse(demo.birth_date, format).map_err(|_| bad())?;
    let patient = Patient {
        mrn: mrn.clone(),
        nhs_number,
        given_name: demo.given_name.into(),
        family_name: demo.family_name.into(),
        birth_date,
        postcode: demo.postcode.into(),
        gender: chartdesk_domain::Gender::Unknown,
        flags: PatientFlags {
            restricted: demo.restricted,
            superseded: demo.superseded,
        },
        superseded_by: None,
    };
    Ok((mrn, patient))
}

async fn create_if_absent<T: serde::Serialize>(
    store: &dyn RecordStore,
    key: &str,
    value: &T,
) -> Result<(), ProvisionError> {
    match store.put_json(key, value, Write::Create).await {
        Ok(_) | Err(StoreError::Conflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Objects first, manifest last (created only if absent), as every upload does.
async fn ensure_documents(
    store: &dyn RecordStore,
    demo: &DemoPatient,
    mrn: &Mrn,
) -> Result<usize, ProvisionError> {
    if let Some(existing) = chartdesk_records::read_manifest(store, mrn).await? {
        return Ok(existing.value.documents.len());
    }
    let base =
        OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let mut manifest = Manifest::new();
    if demo.processed_by_worker {
        manifest.documents = super::demo_processing::documents(store, mrn, base)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        for entry in &manifest.documents {
            let claim = chartdesk_records::DocClaim::new(mrn, entry.category);
            create_if_absent(store, &chartdesk_records::doc_claim_key(entry.id), &claim).await?;
        }
    }
    let plan: Vec<(Category, u8)> = match demo.processed_by_worker {
        true => Vec::new(),
        false => demo.document_plan().collect(),
    };
    for (category, n) in plan {
        for i in 0..n {
            let seq = manifest.documents.len() as i64;
            let created = base - Duration::days(30 - seq) + Duration::minutes(i64::from(i) * 7);
            let id = demo_doc_id(mrn, category, i, created);
            let (bytes, content_type, file_name) = demo_document(category, i, demo.tiff_scans);
            let ext = keys::extension_for(content_type).unwrap_or("bin");
            let key = keys::original(mrn, category, id, ext);
            // Claimed as an upload claims it: no other record may reuse the id.
            let claim = chartdesk_records::DocClaim::new(mrn, category);
            create_if_absent(store, &chartdesk_records::doc_claim_key(id), &claim).await?;
            store
                .put_bytes(&key, bytes.clone(), content_type, Write::Overwrite)
                .await?;
            // Images get their optimized and thumb previews, as the worker makes them.
            let mut variants = vec![];
            if content_type.starts_with("image/") {
                if let Ok(made) = super::demo_previews::make_variants(&bytes) {
                    for (key, body) in [
                        (keys::optimized(mrn, category, id), made.optimized),
                        (keys::thumb(mrn, category, id), made.thumb),
                    ] {
                        store
                            .put_bytes(&key, body, "image/jpeg", Write::Overwrite)
                            .await?;
                        variants.push(key);
                    }
                }
            }
            manifest.add(DocumentEntry {
                id,
                category,
                file_name,
                content_type: content_type.into(),
                size: bytes.len() as u64,
                sha256: chartdesk_domain::sha256_hex(&bytes),
                created,
                uploaded_by: "nurse.hughes".into(),
                variants,
                stamp: None,
                status: DocumentStatus::Attached,
                scan_status: ScanStatus::Clean,
                status_change: None,
                processing: None,
            });
        }
    }
    match chartdesk_records::create_manifest(store, mrn, &manifest).await {
        Ok(_) | Err(StoreError::Conflict) => Ok(manifest.documents.len()),
        Err(e) => Err(e.into()),
    }
}

/// Images for photo-like categories (TIFF page scans where `tiff`), PDFs for reports.
fn demo_document(category: Category, i: u8, tiff: bool) -> (Vec<u8>, &'static str, String) {
    let name = demo_file_name(category, i, tiff);
    match category {
        Category::Preop | Category::Radiology | Category::Intraop if tiff => (
            demo_tiff(i.wrapping_add(category as u8 * 16)),
            "image/tiff",
            name,
        ),
        Category::Preop | Category::Radiology | Category::Intraop => (
            demo_jpeg(i.wrapping_add(category as u8 * 16)),
            "image/jpeg",
            name,
        ),
        _ => (
            demo_pdf(
                &format!("{} report {}", category.label(), i + 1),
                "Chartdesk sandbox demo document. Not a real clinical record.",
            ),
            "application/pdf",
            name,
        ),
    }
}

fn demo_file_name(category: Category, i: u8, tiff: bool) -> String {
    match category {
        Category::Preop | Category::Radiology | Category::Intraop if tiff => {
            format!("{}-scan-{}.tif", category.id(), i + 1)
        }
        Category::Preop | Category::Radiology | Category::Intraop => {
            format!("{}-scan-{}.jpg", category.id(), i + 1)
        }
        _ => format!("{}-report-{}.pdf", category.id(), i + 1),
    }
}

/// Everything seeded that identifies a patient or a document: each name, NHS number (as typed
/// and as shown), MRN and file name. Checks that no log names a patient read this list, so a
/// patient added to the sandbox is checked without anyone editing a test.
pub fn seeded_identifiers() -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for demo in demo_patients() {
        out.insert(demo.given_name.to_string());
        out.insert(demo.family_name.to_string());
        out.insert(demo.nhs_number.to_string());
        if let Ok(nhs) = chartdesk_domain::NhsNumber::parse(demo.nhs_number) {
            out.insert(nhs.display_form());
        }
        out.insert(demo.mrn.to_string());
        if demo.processed_by_worker {
            out.extend(super::demo_processing::FILE_NAMES.map(String::from));
            continue;
        }
        for (category, n) in demo.document_plan() {
            for i in 0..n {
                out.insert(demo_file_name(category, i, demo.tiff_scans));
            }
        }
    }
    out.into_iter().collect()
}

/// UUIDv7 whose random part is derived from the record, so re-provisioning makes the same ids.
fn demo_doc_id(mrn: &Mrn, category: Category, i: u8, created: OffsetDateTime) -> Uuid {
    let digest = Sha256::digest(format!("{mrn}/{}/{i}", category.id()));
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    let millis = u64::try_from(created.unix_timestamp()).unwrap_or(0) * 1000;
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}
