//! Text a person reads (file names, patient names, break-glass words): never a character that
//! changes how the rest displays, and never a file extension the content does not justify.
//! `scan\u{202E}fdp.hta` would display as `scanath.pdf` and run as an HTML application.

use std::sync::LazyLock;

use regex::Regex;

use crate::keys;

/// Control (Cc) and format (Cf) characters: bidi overrides and isolates, zero-width spaces and
/// joiners, the BOM, soft hyphens.
#[allow(clippy::expect_used)] // a constant pattern, proved by the tests below
static INVISIBLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{Cc}\p{Cf}]").expect("a valid constant pattern"));

/// Format characters alone (Cf): what a file name may lose silently, where a control character
/// (a newline, a tab) makes the whole name unusable.
#[allow(clippy::expect_used)] // a constant pattern, proved by the tests below
static FORMAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Cf}").expect("a valid constant pattern"));

pub(crate) fn without_format(text: &str) -> String {
    FORMAT.replace_all(text, "").into_owned()
}

/// `text` without control or format characters.
pub fn plain_text(text: &str) -> String {
    INVISIBLE.replace_all(text, "").into_owned()
}

/// Whether `text` holds a control or format character.
pub fn has_invisible(text: &str) -> bool {
    INVISIBLE.is_match(text)
}

/// The extensions a file of `content_type` may already carry (any case).
fn aliases(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "application/pdf" => &["pdf"],
        "image/jpeg" => &["jpg", "jpeg", "jpe"],
        "image/png" => &["png"],
        "image/tiff" => &["tif", "tiff"],
        _ => &[],
    }
}

/// The name a file of `content_type` is stored, listed and exported under: plain text, ending
/// in the type's own extension. A name that already ends so is kept; any other gets the type's
/// extension added (`results.hta` → `results.hta.pdf`), so nothing the user typed is lost and
/// every system opens it as what it is.
pub fn typed_name(name: &str, content_type: &str) -> String {
    let plain = plain_text(name);
    let plain = plain.trim().trim_end_matches(['.', ' ']);
    let Some(ext) = keys::extension_for(content_type) else {
        return plain.to_string();
    };
    let user_ext = plain.rsplit_once('.').map(|(_, e)| e);
    if user_ext.is_some_and(|e| {
        aliases(content_type)
            .iter()
            .any(|a| a.eq_ignore_ascii_case(e))
    }) {
        return plain.to_string();
    }
    if plain.is_empty() {
        format!("document.{ext}")
    } else {
        format!("{plain}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_zero_width_characters_are_dropped() {
        assert_eq!(plain_text("scan\u{202E}fdp.hta"), "scanfdp.hta");
        assert_eq!(
            plain_text("a\u{200B}b\u{200D}c\u{FEFF}d\u{2066}e\u{00AD}f"),
            "abcdef"
        );
        assert_eq!(plain_text("tab\there\u{7}"), "tabhere");
        assert_eq!(plain_text("Ōkafor, Zoë 日本"), "Ōkafor, Zoë 日本");
        assert!(has_invisible("x\u{202E}y") && !has_invisible("plain name.pdf"));
    }

    #[test]
    fn a_pdf_named_as_a_program_ends_in_pdf() {
        assert_eq!(
            typed_name("scan\u{202E}fdp.hta", "application/pdf"),
            "scanfdp.hta.pdf"
        );
        assert_eq!(typed_name("run.bat", "application/pdf"), "run.bat.pdf");
        assert_eq!(typed_name("results", "application/pdf"), "results.pdf");
        assert_eq!(
            typed_name("trailing. . ", "application/pdf"),
            "trailing.pdf"
        );
        assert_eq!(typed_name("\u{202E}", "image/png"), "document.png");
    }

    #[test]
    fn a_name_that_already_says_its_type_is_kept() {
        assert_eq!(typed_name("Scan.JPEG", "image/jpeg"), "Scan.JPEG");
        assert_eq!(typed_name("x-ray.tiff", "image/tiff"), "x-ray.tiff");
        assert_eq!(typed_name("photo.png", "image/jpeg"), "photo.png.jpg");
    }
}
