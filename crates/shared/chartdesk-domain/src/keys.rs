//! The S3 key scheme (ARCHITECTURE.md §4). Keys are built only from validated identifiers
//! (MRN, NHS number, category id, document id): never from names or free text.

use uuid::Uuid;

use super::{Category, Mrn, NhsNumber};

pub fn patient(mrn: &Mrn) -> String {
    format!("patients/{mrn}/patient.json")
}

pub fn manifest(mrn: &Mrn) -> String {
    format!("patients/{mrn}/manifest.json")
}

/// One part of a long manifest, named by the SHA-256 (hex) of its bytes.
pub fn manifest_part(mrn: &Mrn, sha256: &str) -> String {
    format!("patients/{mrn}/manifest-parts/{sha256}.json")
}

pub fn nhs_lookup(nhs: &NhsNumber) -> String {
    format!("lookup/nhs/{}.json", nhs.digits())
}

/// File extension for a stored original, from the sniffed content type (never the user's name).
pub fn extension_for(content_type: &str) -> Option<&'static str> {
    match content_type {
        "application/pdf" => Some("pdf"),
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/tiff" => Some("tif"),
        _ => None,
    }
}

pub fn original(mrn: &Mrn, category: Category, doc_id: Uuid, ext: &str) -> String {
    format!(
        "patients/{mrn}/originals/docs/{}/{doc_id}.{ext}",
        category.id()
    )
}

pub fn optimized(mrn: &Mrn, category: Category, doc_id: Uuid) -> String {
    format!(
        "patients/{mrn}/optimized/docs/{}/{doc_id}-q80-1600w.jpg",
        category.id()
    )
}

pub fn thumb(mrn: &Mrn, category: Category, doc_id: Uuid) -> String {
    format!(
        "patients/{mrn}/thumb/docs/{}/{doc_id}-320w.jpg",
        category.id()
    )
}

/// Page `page` (1-based) of a multi-page image: page 1 is `optimized`/`thumb` themselves.
pub fn page_optimized(mrn: &Mrn, category: Category, doc_id: Uuid, page: u32) -> String {
    if page <= 1 {
        return optimized(mrn, category, doc_id);
    }
    format!(
        "patients/{mrn}/optimized/docs/{}/{doc_id}-p{page}-q80-1600w.jpg",
        category.id()
    )
}

pub fn page_thumb(mrn: &Mrn, category: Category, doc_id: Uuid, page: u32) -> String {
    if page <= 1 {
        return thumb(mrn, category, doc_id);
    }
    format!(
        "patients/{mrn}/thumb/docs/{}/{doc_id}-p{page}-320w.jpg",
        category.id()
    )
}

/// The document's text, page by page (the worker's extraction: text layer or OCR), as JSON.
pub fn text(mrn: &Mrn, category: Category, doc_id: Uuid) -> String {
    format!("patients/{mrn}/text/docs/{}/{doc_id}.json", category.id())
}

/// An original's key read back into its parts (the worker is told keys, not documents). None for
/// any other key, or one whose parts do not validate.
pub fn parse_original(key: &str) -> Option<(Mrn, Category, Uuid)> {
    let rest = key.strip_prefix("patients/")?;
    let (mrn, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("originals/docs/")?;
    let (category, file) = rest.split_once('/')?;
    let (id, ext) = file.rsplit_once('.')?;
    let category = Category::from_id(category)?;
    let id = Uuid::parse_str(id).ok()?;
    let mrn = Mrn::from_stored(mrn).ok()?;
    // Only the exact key `original` builds: nothing else under the prefix is a document.
    (original(&mrn, category, id, ext) == key && extension_for_ext(ext))
        .then_some((mrn, category, id))
}

fn extension_for_ext(ext: &str) -> bool {
    ["pdf", "jpg", "png", "tif"].contains(&ext)
}

/// A ZIP the server wrote for a browser to download: a random id, nothing of the patient's.
/// The bucket's lifecycle rule removes it within about three days (infra/template.yaml,
/// `expire-exports`).
pub fn export_archive(id: Uuid) -> String {
    format!("exports/{id}.zip")
}

/// The prefix every object of one patient lives under.
pub fn patient_prefix(mrn: &Mrn) -> String {
    format!("patients/{mrn}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_documented_layout() {
        let mrn = Mrn::from_stored("10000001").unwrap();
        let nhs = NhsNumber::parse("943 476 5919").unwrap();
        let id = Uuid::nil();
        assert_eq!(patient(&mrn), "patients/10000001/patient.json");
        assert_eq!(manifest(&mrn), "patients/10000001/manifest.json");
        assert_eq!(nhs_lookup(&nhs), "lookup/nhs/9434765919.json");
        assert_eq!(
            original(&mrn, Category::OtNotes, id, "pdf"),
            "patients/10000001/originals/docs/ot_notes/00000000-0000-0000-0000-000000000000.pdf"
        );
        assert_eq!(
            optimized(&mrn, Category::Lab, id),
            "patients/10000001/optimized/docs/lab/00000000-0000-0000-0000-000000000000-q80-1600w.jpg"
        );
        assert_eq!(
            thumb(&mrn, Category::Lab, id),
            "patients/10000001/thumb/docs/lab/00000000-0000-0000-0000-000000000000-320w.jpg"
        );
        assert!(original(&mrn, Category::Lab, id, "pdf").starts_with(&patient_prefix(&mrn)));
        assert_eq!(
            export_archive(id),
            "exports/00000000-0000-0000-0000-000000000000.zip"
        );
    }

    #[test]
    fn an_originals_key_reads_back_into_its_parts_and_nothing_else_does() {
        let mrn = Mrn::from_stored("10000001").unwrap();
        let id = Uuid::now_v7();
        let key = original(&mrn, Category::Radiology, id, "tif");
        assert_eq!(
            parse_original(&key),
            Some((mrn.clone(), Category::Radiology, id))
        );
        for other in [
            manifest(&mrn),
            optimized(&mrn, Category::Lab, id),
            text(&mrn, Category::Lab, id),
            format!("patients/10000001/originals/docs/lab/{id}.exe"),
            format!("patients/10000001/originals/docs/nope/{id}.pdf"),
            format!("patients/../originals/docs/lab/{id}.pdf"),
            format!("patients/10000001/originals/docs/lab/x/{id}.pdf"),
        ] {
            assert_eq!(parse_original(&other), None, "{other}");
        }
        assert_eq!(
            page_optimized(&mrn, Category::Lab, id, 1),
            optimized(&mrn, Category::Lab, id)
        );
        assert!(page_thumb(&mrn, Category::Lab, id, 3).ends_with("-p3-320w.jpg"));
    }

    #[test]
    fn only_accepted_types_have_an_extension() {
        assert_eq!(extension_for("image/tiff"), Some("tif"));
        assert_eq!(extension_for("application/x-msdownload"), None);
    }
}
