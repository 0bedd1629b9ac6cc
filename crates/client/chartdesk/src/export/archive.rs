//! Writing the export ZIP one document at a time (only the one being added is in memory),
//! then `manifest.csv` describing each. Written to a temporary name beside the target and
//! renamed at the end, so a crash or a full disk never leaves a half ZIP under the name the
//! user chose.

use std::fs::File;
use std::path::{Path, PathBuf};

use chartdesk_records::export_manifest::ExportZip;
use chartdesk_records::export_manifest::ExportedEntry;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("The export must be saved as a .zip file")]
    NotZip,
    #[error("The export could not be written to {path}: {reason}")]
    Write { path: String, reason: String },
}

/// A ZIP being written beside its target. Dropped unfinished, its partial file goes.
pub struct Archive {
    target: PathBuf,
    partial: PathBuf,
    zip: Option<ExportZip<File>>,
}

impl Archive {
    /// Starts the ZIP for `target` (which must end in `.zip`).
    pub fn create(target: &Path) -> Result<Self, ArchiveError> {
        let is_zip = target
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        if !is_zip {
            return Err(ArchiveError::NotZip);
        }
        let partial = partial_path(target);
        let file = File::create(&partial).map_err(|e| failed(target, &e))?;
        Ok(Self {
            target: target.to_path_buf(),
            partial,
            zip: Some(ExportZip::new(file)),
        })
    }

    /// Appends one document; `entry.size` is taken from `bytes`.
    pub fn add(&mut self, entry: ExportedEntry, bytes: &[u8]) -> Result<(), ArchiveError> {
        let zip = self.zip.as_mut().ok_or(ArchiveError::NotZip)?;
        zip.add(entry, bytes).map_err(|e| failed(&self.target, &e))
    }

    /// Writes the manifest, syncs and renames; the ZIP's size in bytes.
    pub fn finish(mut self) -> Result<u64, ArchiveError> {
        let zip = self.zip.take().ok_or(ArchiveError::NotZip)?;
        let written = zip.finish().and_then(|file| {
            file.sync_all()?;
            std::fs::rename(&self.partial, &self.target)?;
            Ok(std::fs::metadata(&self.target)?.len())
        });
        written.map_err(|e| failed(&self.target, &e))
    }
}

impl Drop for Archive {
    fn drop(&mut self) {
        if self.zip.is_some() || self.partial.exists() {
            self.zip = None;
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

fn failed(target: &Path, e: &std::io::Error) -> ArchiveError {
    ArchiveError::Write {
        path: target.display().to_string(),
        reason: e.to_string(),
    }
}

fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.partial"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chartdesk_records::export_manifest::MANIFEST_CSV;
    use std::io::Read;

    fn entry(zip_name: &str, original: &str) -> ExportedEntry {
        ExportedEntry {
            zip_name: zip_name.into(),
            document_id: "id-1".into(),
            category: "lab".into(),
            original_name: original.into(),
            content_type: "application/pdf".into(),
            size: 0,
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
        let mut archive = Archive::create(&target).unwrap();
        archive
            .add(entry("lab/a, \"b\".pdf", "a, \"b\".pdf"), b"%PDF-1")
            .unwrap();
        archive.finish().unwrap();
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
    fn an_export_stopped_halfway_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export.zip");
        let mut archive = Archive::create(&target).unwrap();
        archive.add(entry("lab/a.pdf", "a.pdf"), b"%PDF-1").unwrap();
        drop(archive);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_target_that_is_not_a_zip_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("export.pdf");
        assert!(matches!(
            Archive::create(&target),
            Err(ArchiveError::NotZip)
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_unwritable_folder_is_an_error_naming_the_path() {
        let target = Path::new("/nonexistent-folder/export.zip");
        let err = Archive::create(target).err().unwrap();
        assert!(err.to_string().contains("/nonexistent-folder/export.zip"));
    }
}
