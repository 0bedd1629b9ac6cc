//! What may be uploaded: PDF, JPEG, PNG or TIFF by their magic bytes (never the file name),
//! not empty, not over the size limit. The user's file name is kept as metadata only.

use super::keys;
use crate::shown_text::{plain_text, typed_name, without_format};

/// The upload limit unless the records server is configured otherwise.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileRefusal {
    #[error("{0}: the file is empty")]
    Empty(String),
    #[error("{name}: the file is {size_mib:.1} MiB; the limit is {limit_mib} MiB")]
    TooLarge {
        name: String,
        size_mib: f64,
        limit_mib: u64,
    },
    #[error("{0}: only PDF, JPEG, PNG and TIFF files can be added (checked by content, not name)")]
    WrongType(String),
    #[error("{0}: the file name is not usable")]
    BadName(String),
    #[error("{0}: cannot read the file ({1})")]
    CannotRead(String, String),
}

/// A file that passed the checks, with its sniffed content type.
#[derive(Debug, Clone)]
pub struct AcceptedFile {
    pub file_name: String,
    pub content_type: &'static str,
}

impl AcceptedFile {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// Checks `bytes` and keeps only the final component of `file_name` (no paths, no controls).
pub fn accept(file_name: &str, bytes: &[u8], max_bytes: u64) -> Result<AcceptedFile, FileRefusal> {
    let name = usable_name(file_name)?;
    check_size(&name, bytes.len() as u64, max_bytes)?;
    let content_type = sniff(bytes).ok_or_else(|| FileRefusal::WrongType(name.clone()))?;
    Ok(AcceptedFile {
        file_name: typed_name(&name, content_type),
        content_type,
    })
}

/// The same checks on what a client declares before sending any bytes (the records server's
/// upload start); the stored bytes' magic is checked by the server's worker (`sniff`).
pub fn accept_declared(
    file_name: &str,
    content_type: &str,
    size: u64,
    max_bytes: u64,
) -> Result<AcceptedFile, FileRefusal> {
    let name = usable_name(file_name)?;
    check_size(&name, size, max_bytes)?;
    let content_type =
        static_type(content_type).ok_or_else(|| FileRefusal::WrongType(name.clone()))?;
    Ok(AcceptedFile {
        file_name: typed_name(&name, content_type),
        content_type,
    })
}

/// The accepted content type the first bytes of a file show, if any: magic bytes, never names.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    infer::get(head)
        .map(|t| t.mime_type())
        .and_then(|m| keys::extension_for(m).map(|_| m))
        .and_then(static_type)
}

/// How many leading bytes `sniff` needs.
pub const SNIFF_BYTES: u64 = 4096;

/// The final component of the user's file name without format characters (bidi overrides,
/// zero-width), or a refusal (paths, controls, empty). Its extension is set by `typed_name`.
fn usable_name(file_name: &str) -> Result<String, FileRefusal> {
    let last = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept = without_format(last);
    let base = kept.trim();
    if base.is_empty()
        || base == "."
        || base == ".."
        || base.chars().any(char::is_control)
        || base.chars().count() > MAX_NAME_CHARS
    {
        return Err(FileRefusal::BadName(
            plain_text(file_name).chars().take(MAX_NAME_CHARS).collect(),
        ));
    }
    Ok(base.to_string())
}

/// File names longer than this are refused rather than cut (a cut name could mislead).
const MAX_NAME_CHARS: usize = 255;

fn check_size(name: &str, size: u64, max_bytes: u64) -> Result<(), FileRefusal> {
    if size == 0 {
        return Err(FileRefusal::Empty(name.to_string()));
    }
    if size > max_bytes {
        return Err(FileRefusal::TooLarge {
            name: name.to_string(),
            size_mib: size as f64 / 1_048_576.0,
            limit_mib: max_bytes / 1_048_576,
        });
    }
    Ok(())
}

/// A kind of file that may be uploaded: its content type and the extensions a file picker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedType {
    pub content_type: &'static str,
    pub extensions: &'static [&'static str],
    /// What staff call it ("PDF", "JPEG image").
    pub label: &'static str,
}

/// Every kind of file that may be uploaded (checked by content; the extensions only guide pickers).
pub const ACCEPTED_TYPES: [AcceptedType; 4] = [
    AcceptedType {
        content_type: "application/pdf",
        extensions: &["pdf"],
        label: "PDF",
    },
    AcceptedType {
        content_type: "image/jpeg",
        extensions: &["jpg", "jpeg"],
        label: "JPEG image",
    },
    AcceptedType {
        content_type: "image/png",
        extensions: &["png"],
        label: "PNG image",
    },
    AcceptedType {
        content_type: "image/tiff",
        extensions: &["tif", "tiff"],
        label: "TIFF image",
    },
];

/// What staff call a content type ("PDF", "JPEG image"); "file" for one not accepted.
pub fn type_label(content_type: &str) -> &'static str {
    ACCEPTED_TYPES
        .iter()
        .find(|t| t.content_type == content_type)
        .map_or("file", |t| t.label)
}

fn static_type(mime: &str) -> Option<&'static str> {
    ACCEPTED_TYPES
        .iter()
        .map(|t| t.content_type)
        .find(|t| *t == mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: u64 = 1024;

    #[test]
    fn the_four_accepted_types_are_recognised_by_content() {
        let cases: [(&[u8], &str); 5] = [
            (b"%PDF-1.7\n...", "application/pdf"),
            (
                &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'],
                "image/jpeg",
            ),
            (
                &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0],
                "image/png",
            ),
            (&[b'I', b'I', 42, 0, 8, 0, 0, 0], "image/tiff"),
            (&[b'M', b'M', 0, 42, 0, 0, 0, 8], "image/tiff"),
        ];
        for (head, expected) in cases {
            let mut bytes = head.to_vec();
            bytes.resize(64, 0); // sniffers look a little past the signature
            let got = accept("scan", &bytes, LIMIT).map(|a| a.content_type);
            assert_eq!(got, Ok(expected), "{head:?}");
        }
    }

    #[test]
    fn a_renamed_executable_is_refused() {
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00";
        assert_eq!(
            accept("report.pdf", exe, LIMIT).unwrap_err(),
            FileRefusal::WrongType("report.pdf".into())
        );
    }

    #[test]
    fn empty_and_oversize_files_are_refused_with_their_names() {
        assert_eq!(
            accept("a.pdf", b"", LIMIT).unwrap_err().to_string(),
            "a.pdf: the file is empty"
        );
        let big = vec![b'%'; 2048];
        let err = accept("big.pdf", &big, LIMIT).unwrap_err();
        assert!(matches!(err, FileRefusal::TooLarge { .. }), "{err}");
    }

    #[test]
    fn path_tricks_in_names_keep_only_the_last_component() {
        let ok = accept("../../etc/passwd/scan.pdf", b"%PDF-1.4", LIMIT).unwrap();
        assert_eq!(ok.file_name, "scan.pdf");
        assert!(accept("..", b"%PDF-1.4", LIMIT).is_err());
        assert!(accept("C:\\\\temp\\\\", b"%PDF-1.4", LIMIT).is_err());
    }

    #[test]
    fn a_pdf_disguised_as_a_program_behind_a_bidi_override_is_kept_as_a_pdf() {
        let ok = accept("scan\u{202E}fdp.hta", b"%PDF-1.7\n<HTA:APPLICATION>", LIMIT).unwrap();
        assert_eq!(ok.content_type, "application/pdf");
        assert_eq!(ok.file_name, "scanfdp.hta.pdf");
        let declared =
            accept_declared("Discharge\u{200B}.bat", "application/pdf", 10, LIMIT).unwrap();
        assert_eq!(declared.file_name, "Discharge.bat.pdf");
        // A name with a control character is still refused whole.
        assert!(accept("a\nb.pdf", b"%PDF-1.4", LIMIT).is_err());
    }
}
