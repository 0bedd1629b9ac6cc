//! Writing the export ZIP: the files, then `manifest.csv` describing each. Written to a
//! temporary name beside the target and renamed at the end, so a crash or a full disk never
//! leaves a half ZIP under the name the user chose.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub use crate::records::export_manifest::MANIFEST_CSV;
use crate::records::export_manifest::{self, ExportedEntry};

/// One document as it goes into the ZIP.
pub struct ExportedFile {
    /// Path inside the ZIP (unique, see `UniqueNames`).
    pub zip_name: String,
    pub bytes: Vec<u8>,
    pub document_id: String,
    pub category: String,
    pub original_name: String,
    pub content_type: String,
    pub sha256: String,
    pub created: String,
    pub uploaded_by: String,
    /// `label by at`, or empty.
    pub stamp: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("The export must be saved as a .zip file")]
    NotZip,
    #[error("The export could not be written to {path}: {reason}")]
    Write { path: String, reason: String },
}

/// Writes `files` and their manifest CSV to `target` (which must end in `.zip`).
pub fn write_archive(target: &Path, files: &[ExportedFile]) -> Result<u64, ArchiveError> {
    let is_zip = target
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        return Err(ArchiveError::NotZip);
    }
    let partial = partial_path(target);
    let failed = |reason: String| ArchiveError::Write {
        path: target.display().to_string(),
        reason,
    };
    let written = write_zip(&partial, files).and_then(|()| {
        std::fs::rename(&partial, target)?;
        Ok(std::fs::metadata(target)?.len())
    });
    written.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        failed(e.to_string())
    })
}

fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.partial"))
}

fn write_zip(path: &Path, files: &[ExportedFile]) -> std::io::Result<()> {
    let mut zip = ZipWriter::new(File::create(path)?);
    // Scans are already compressed: storing them is as small and much faster.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for file in files {
        zip.start_file(file.zip_name.as_str(), stored)
            .map_err(std::io::Error::other)?;
        zip.write_all(&file.bytes)?;
    }
    zip.start_file(MANIFEST_CSV, deflated)
        .map_err(std::io::Error::other)?;
    zip.write_all(&manifest_csv(files)?)?;
    let inner = zip.finish().map_err(std::io::Error::other)?;
    inner.sync_all()
}

fn manifest_csv(files: &[ExportedFile]) -> std::io::Result<Vec<u8>> {
    let entries: Vec<ExportedEntry> = files
        .iter()
        .map(|f| ExportedEntry {
            zip_name: f.zip_name.clone(),
            document_id: f.document_id.clone(),
            category: f.category.clone(),
            original_name: f.original_name.clone(),
            content_type: f.content_type.clone(),
            size: f.bytes.len() as u64,
            sha256: f.sha256.clone(),
            created: f.created.clone(),
            uploaded_by: f.uploaded_by.clone(),
            stamp: f.stamp.clone(),
        })
        .collect();
    export_manifest::manifest_csv(&entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn file(zip_name: &str, bytes: &[u8], original: &str) -> ExportedFile {
        ExportedFile {
            zip_name: zip_name.into(),
            bytes: bytes.to_vec(),
            document_id: "id-1".into(),
            category: "lab".into(),
            original_name: original.into(),
            content_type: "application/pdf".into(),
            sha256: "ab".into(),
            created: "2026-11-23T10:00:00Z".into(),
            uploaded_by: "nurse.hughes".into(),
            stamp: String::new(),
        }
    }

    #[test]
    fn the_zip_holds_each_file_and_a_csv_row_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export.zip");
        let files = [file("lab/a, \"b\".pdf", b"%PDF-1", "a, \"b\".pdf")];
        write_archive(&target, &files).unwrap();
        let mut zip = zip::ZipArchive::new(File::open(&target).unwrap()).unwrap();
        let mut body = Vec::new();
        zip.by_name("lab/a, \"b\".pdf")
            .unwrap()
            .read_to_end(&mut body)
            .unwrap();
        assert_eq!(body, b"%PDF-1");
        let mut csv = String::new();
        zip.by_name(MANIFEST_CSV)
            .unwrap()
            .read_to_string(&mut csv)
            .unwrap();
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let row = rows.records().next().unwrap().unwrap();
        assert_eq!(
            &row[0], "lab/a, \"b\".pdf",
            "quoted, not split at the comma"
        );
        assert_eq!(&row[5], "6");
        assert!(!dir.path().join(".export.zip.partial").exists());
    }

    #[test]
    fn a_target_that_is_not_a_zip_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export.pdf");
        assert!(matches!(
            write_archive(&target, &[]),
            Err(ArchiveError::NotZip)
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_unwritable_folder_is_an_error_naming_the_path() {
        let target = Path::new("/nonexistent-folder/export.zip");
        let err = write_archive(target, &[]).unwrap_err();
        assert!(err.to_string().contains("/nonexistent-folder/export.zip"));
    }
}
