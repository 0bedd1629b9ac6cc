//! File names inside an export ZIP: the user's own names, made safe and unique.

use std::collections::HashSet;

/// Hands out names no earlier call got: a second `scan.pdf` becomes `scan (1).pdf`.
#[derive(Default)]
pub struct UniqueNames {
    taken: HashSet<String>,
}

impl UniqueNames {
    /// `folder/name`, with separators and control characters in `name` replaced (a stored
    /// file name can never escape its folder when unzipped).
    pub fn claim(&mut self, folder: &str, name: &str) -> String {
        let clean = sanitize(name);
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

fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        "document".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_names_get_a_counter_before_the_extension() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("lab", "name.pdf"), "lab/name.pdf");
        assert_eq!(names.claim("lab", "name.pdf"), "lab/name (1).pdf");
        assert_eq!(names.claim("lab", "NAME.pdf"), "lab/NAME (2).pdf");
        assert_eq!(names.claim("radiology", "name.pdf"), "radiology/name.pdf");
    }

    #[test]
    fn path_tricks_in_a_stored_name_stay_inside_the_folder() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("lab", "../../etc/passwd"), "lab/_.._etc_passwd");
        assert_eq!(names.claim("lab", "..\\x.pdf"), "lab/_x.pdf");
        assert_eq!(names.claim("lab", ""), "lab/document");
        assert_eq!(names.claim("lab", "noext"), "lab/noext");
        assert_eq!(names.claim("lab", "noext"), "lab/noext (1)");
    }
}
