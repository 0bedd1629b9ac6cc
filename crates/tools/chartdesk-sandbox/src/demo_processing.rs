//! The demo documents (one lab, two discharge: the patient's plan) the sandbox's processing worker handles as it would any upload (ARCHITECTURE.md
//! §9): written as an upload leaves them — the original, and an entry *queued* for the worker —
//! so a freshly started sandbox shows the pipeline at work: a lab report found by the words in
//! its text, a scanned letter (an image) found by its OCR'd words, and a file carrying the EICAR
//! test string shown blocked.

use std::path::Path;
use std::process::Command;

use time::OffsetDateTime;
use uuid::Uuid;

use super::launch::scanner::EICAR;
use super::{demo_pdf, ProvisionError};
use chartdesk_domain::{keys, Category, DocumentEntry, Mrn, Sent};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::RecordStore;

/// The showcase's file names (what no log may contain, like every seeded name).
pub const FILE_NAMES: [&str; 3] = [
    "full-blood-count.pdf",
    "clinic-letter.png",
    "summary-with-test-virus.pdf",
];

/// One document of the showcase: category, file name, type and bytes.
type Demo = (Category, &'static str, &'static str, Vec<u8>);

/// The showcase's entries, their originals written; the caller writes the manifest.
pub async fn documents(
    store: &dyn RecordStore,
    mrn: &Mrn,
    created: OffsetDateTime,
) -> Result<Vec<DocumentEntry>, ProvisionError> {
    let mut demos: Vec<Demo> = vec![(
        Category::Lab,
        FILE_NAMES[0],
        "application/pdf",
        demo_pdf(
            "Full blood count",
            "Haemoglobin 131 g/L. White cells 6.2. Platelets 250.",
        ),
    )];
    // A photographed letter: typed words drawn into an image, for OCR to read.
    match picture_of(&demo_pdf(
        "Letter from the fracture clinic",
        "Referral for physiotherapy, twice weekly.",
    )) {
        Ok(png) => demos.push((Category::Discharge, FILE_NAMES[1], "image/png", png)),
        Err(e) => {
            tracing::warn!(kind = "demo_letter", error = %e, "the demo scanned letter was not made (poppler's pdftoppm)")
        }
    }
    let mut infected = demo_pdf(
        "Discharge summary",
        "This demo file carries the anti-virus test string.",
    );
    infected.extend_from_slice(b"\n% ");
    infected.extend_from_slice(EICAR.as_bytes());
    infected.push(b'\n');
    demos.push((
        Category::Discharge,
        FILE_NAMES[2],
        "application/pdf",
        infected,
    ));

    let mut entries = Vec::new();
    for (i, (category, name, content_type, bytes)) in demos.into_iter().enumerate() {
        let id = Uuid::now_v7();
        let ext = keys::extension_for(content_type).unwrap_or("bin");
        store
            .put(
                &keys::original(mrn, category, id, ext),
                bytes.clone(),
                content_type,
                Write::Create,
            )
            .await?;
        let sent = Sent {
            category,
            file_name: name,
            content_type,
            bytes: &bytes,
            by: "nurse.hughes",
            at: created + time::Duration::minutes(i as i64),
        };
        entries.push(DocumentEntry::queued(id, sent));
    }
    Ok(entries)
}

/// The PDF's page drawn as a grey PNG at 150 dpi by poppler.
fn picture_of(pdf: &[u8]) -> std::io::Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let source = dir.path().join("letter.pdf");
    std::fs::write(&source, pdf)?;
    let out = dir.path().join("letter");
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", "-singlefile"])
        .arg(&source)
        .arg(&out)
        .status()?;
    if !status.success() {
        return Err(std::io::Error::other("pdftoppm failed"));
    }
    std::fs::read(Path::new(&out).with_extension("png"))
}
