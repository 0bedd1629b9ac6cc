//! File names inside an export ZIP: the user's own names, made safe and unique, always ending in
//! the extension of the type the content was checked to be (never one the uploader chose).

use std::collections::HashSet;

/// Hands out names no earlier call got: a second `scan.pdf` becomes `scan (1).pdf`.
#[derive(Default)]
pub struct UniqueNames {
    taken: HashSet<String>,
}

impl UniqueNames {
    /// `folder/name`, with separators and control characters in `name` replaced (a stored
    /// file name can never escape its folder when unzipped), format characters dropped and the
    /// extension `content_type`'s own.
    pub fn claim(&mut self, folder: &str, name: &str, content_type: &str) -> String {
        let clean = chartdesk_domain::typed_name(&sanitize(name), content_type);
        let (stem, ext) = match clean.rfind('.') {
            Some(dot) if dot > 0 => (&clean[..dot], &clean[dot..]),
            _ => (clean.as_str(), ""),
        };
        let mut candidate = format!("{folder}/{stem}{ext}");
        let mut n = 1;
        // Case-insensitive: Windows and macOS would merge `A.pdf` and `a.pdf`.
        while !self.taken.insert(candidate.to_lowercase()) {
            candidate = format!("{folder}/{stem} ({n}){ext}");
            n += 1;
        }
        candidate
    }
}

/// Names Windows keeps for devices: `CON.pdf` cannot be created or opened as a file there.
const WINDOWS_DEVICES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn sanitize(name: &str) -> String {
    let cleaned: String = chartdesk_domain::plain_text(name)
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' ']);
    let device = trimmed.split('.').next().unwrap_or_default().trim();
    if trimmed.is_empty() {
        "document".to_string()
    } else if WINDOWS_DEVICES
        .iter()
        .any(|d| d.eq_ignore_ascii_case(device))
    {
        format!("_{trimmed}")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &str = "application/pdf";

    #[test]
    fn duplicate_names_get_a_counter_before_the_extension() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("lab", "name.pdf", PDF), "lab/name.pdf");
        assert_eq!(names.claim("lab", "name.pdf", PDF), "lab/name (1).pdf");
        assert_eq!(names.claim("lab", "NAME.pdf", PDF), "lab/NAME (2).pdf");
        assert_eq!(
            names.claim("radiology", "name.pdf", PDF),
            "radiology/name.pdf"
        );
    }

    #[test]
    fn path_tricks_in_a_stored_name_stay_inside_the_folder() {
        let mut names = UniqueNames::default();
        assert_eq!(
            names.claim("lab", "../../etc/passwd", PDF),
            "lab/_.._etc_passwd.pdf"
        );
        assert_eq!(names.claim("lab", "..\\x.pdf", PDF), "lab/_x.pdf");
        assert_eq!(names.claim("lab", "", PDF), "lab/document.pdf");
        assert_eq!(names.claim("lab", "noext", PDF), "lab/noext.pdf");
        assert_eq!(names.claim("lab", "noext", PDF), "lab/noext (1).pdf");
    }

    #[test]
    fn an_entry_ends_in_the_checked_types_extension_whatever_the_uploader_named_it() {
        let mut names = UniqueNames::default();
        assert_eq!(
            names.claim("ot_notes", "Discharge summary_\u{202E}fdp.hta", PDF),
            "ot_notes/Discharge summary_fdp.hta.pdf"
        );
        assert_eq!(names.claim("lab", "run.bat", PDF), "lab/run.bat.pdf");
        assert_eq!(names.claim("lab", "x.jpeg", "image/jpeg"), "lab/x.jpeg");
        assert_eq!(names.claim("lab", "CON.pdf", PDF), "lab/_CON.pdf");
        assert_eq!(names.claim("lab", "dots... ", PDF), "lab/dots.pdf");
    }
}
