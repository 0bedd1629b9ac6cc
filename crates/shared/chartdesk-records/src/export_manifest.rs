//! The export ZIP: the documents one at a time (only the one being added is in memory), then
//! `manifest.csv` with a row per document, under names made safe and unique. The desktop
//! writes it to the file the user chose, the server to a temporary file it stores in the
//! bucket for a browser to download; both with this writer. Each file is dated when its
//! document was added.

use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub use crate::export_names::UniqueNames;

pub const MANIFEST_CSV: &str = "manifest.csv";

const COLUMNS: [&str; 10] = [
    "file",
    "document_id",
    "category",
    "original_file_name",
    "content_type",
    "size_bytes",
    "sha256",
    "created",
    "uploaded_by",
    "stamp",
];

/// What `manifest.csv` says of one document.
#[derive(Debug, Clone)]
pub struct ExportedEntry {
    /// Path inside the ZIP (unique, see `UniqueNames`).
    pub zip_name: String,
    pub document_id: String,
    pub category: String,
    pub original_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub created: String,
    pub uploaded_by: String,
    /// `label by at`, or empty.
    pub stamp: String,
}

/// A ZIP being written: `add` each document, then `finish` writes the manifest.
pub struct ExportZip<W: Write + Seek> {
    zip: ZipWriter<W>,
    rows: Vec<ExportedEntry>,
}

impl<W: Write + Seek> ExportZip<W> {
    pub fn new(out: W) -> Self {
        Self {
            zip: ZipWriter::new(out),
            rows: Vec::new(),
        }
    }

    /// Appends one document; `entry.size` is taken from `bytes`.
    pub fn add(&mut self, mut entry: ExportedEntry, bytes: &[u8]) -> std::io::Result<()> {
        // Scans are already compressed: storing them is as small and much faster.
        let stored = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(bytes.len() as u64 >= u64::from(u32::MAX))
            .last_modified_time(zip_time(&entry.created));
        self.zip
            .start_file(entry.zip_name.as_str(), stored)
            .map_err(std::io::Error::other)?;
        self.zip.write_all(bytes)?;
        entry.size = bytes.len() as u64;
        self.rows.push(entry);
        Ok(())
    }

    /// How many documents went in.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes `manifest.csv` and the ZIP's directory; hands back the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        // Dated as the newest document in it (the writer keeps no clock of its own).
        let newest = self.rows.iter().map(|r| zip_time(&r.created)).max();
        let deflated = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(newest.unwrap_or_default());
        self.zip
            .start_file(MANIFEST_CSV, deflated)
            .map_err(std::io::Error::other)?;
        let csv = manifest_csv(&self.rows)?;
        self.zip.write_all(&csv)?;
        self.zip.finish().map_err(std::io::Error::other)
    }
}

/// A document's `created` (RFC 3339) as a ZIP entry's date, in UTC (ZIP dates carry no zone),
/// so an unpacked file shows when it was added; ZIP's own default (1980) if it cannot be read.
fn zip_time(created: &str) -> zip::DateTime {
    let Ok(at) =
        time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
    else {
        return zip::DateTime::default();
    };
    let at = at.to_offset(time::UtcOffset::UTC);
    u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second(),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) is written with a leading apostrophe, which spreadsheets show as text.
fn cell(text: &str) -> String {
    // A bidi override or zero-width character would make a name read differently in a sheet.
    let plain = chartdesk_domain::plain_text(text);
    let formula = |t: &str| t.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula(text) || formula(&plain) {
        format!("'{plain}")
    } else {
        plain
    }
}

/// `manifest.csv` for these documents, in the order they went into the ZIP.
fn manifest_csv(rows: &[ExportedEntry]) -> std::io::Result<Vec<u8>> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(COLUMNS)?;
    for f in rows {
        let size = f.size.to_string();
        let fields = [
            f.zip_name.as_str(),
            &f.document_id,
            &f.category,
            &f.original_name,
            &f.content_type,
            &size,
            &f.sha256,
            &f.created,
            &f.uploaded_by,
            &f.stamp,
        ];
        csv.write_record(fields.iter().map(|v| cell(v)))?;
    }
    csv.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(zip_name: &str, original: &str) -> ExportedEntry {
        ExportedEntry {
            zip_name: zip_name.into(),
            document_id: "id-1".into(),
            category: "lab".into(),
            original_name: original.into(),
            content_type: "application/pdf".into(),
            size: 6,
            sha256: "ab".into(),
            created: "2026-11-23T10:00:00Z".into(),
            uploaded_by: "nurse.hughes".into(),
            stamp: String::new(),
        }
    }

    #[test]
    fn each_file_in_the_zip_is_dated_when_its_document_was_added() {
        let mut zip = ExportZip::new(std::io::Cursor::new(Vec::new()));
        let mut later = entry("lab/b.pdf", "b.pdf");
        later.created = "2026-11-24T16:30:12+01:00".into();
        zip.add(entry("lab/a.pdf", "a.pdf"), b"%PDF-a").unwrap();
        zip.add(later, b"%PDF-b").unwrap();
        let mut bad = entry("lab/c.pdf", "c.pdf");
        bad.created = "yesterday".into();
        zip.add(bad, b"%PDF-c").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let mut read = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let date = |read: &mut zip::ZipArchive<_>, name: &str| {
            let t = read.by_name(name).unwrap().last_modified().unwrap();
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
        };
        assert_eq!(date(&mut read, "lab/a.pdf"), (2026, 11, 23, 10, 0, 0));
        assert_eq!(
            date(&mut read, "lab/b.pdf"),
            (2026, 11, 24, 15, 30, 12),
            "in UTC"
        );
        assert_eq!(
            date(&mut read, "lab/c.pdf").0,
            1980,
            "unreadable: ZIP's default"
        );
        assert_eq!(
            date(&mut read, MANIFEST_CSV),
            (2026, 11, 24, 15, 30, 12),
            "the newest"
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_written_as_text() {
        let rows = manifest_csv(&[entry("lab/x.pdf", "=HYPERLINK(\"http://x\")")]).unwrap();
        let text = String::from_utf8(rows).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[3], "'=HYPERLINK(\"http://x\")");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx"] {
            assert!(cell(risky).starts_with('\''), "{risky}");
        }
        assert_eq!(cell("scan.pdf"), "scan.pdf");
        // Hidden behind a format character, a formula is still caught, and the character goes.
        assert_eq!(cell("\u{200B}=1+1"), "'=1+1");
        assert_eq!(cell("scan\u{202E}fdp.hta.pdf"), "scanfdp.hta.pdf");
    }
}
