//! What the server's processing worker found in a document (ARCHITECTURE.md §9), recorded in the
//! manifest beside the entry so a list reads it with the manifest and looks nothing up.

use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{DocumentEntry, ScanStatus};

/// Deliveries of one notice before the queue moves it to its dead-letter queue (the redrive
/// policy's `maxReceiveCount`, in the template and the sandbox alike); the worker records
/// *processing failed* on the last.
pub const PROCESSING_MAX_RECEIVES: u32 = 5;

/// Where the worker is with one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingState {
    /// Attached; the worker has not recorded an outcome yet.
    Queued,
    /// Checked whole, scanned, previews and text made.
    Done,
    /// The worker gave up after its retries: never served.
    Failed,
    /// The stored file is not the file recorded (its SHA-256 differs): never served.
    Corrupted,
}

/// Why a document is flagged as a duplicate of another in the same record. Never deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    /// The same bytes (the same SHA-256).
    SameFile,
    /// A near-identical image (perceptual hash).
    LooksLike,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub kind: DuplicateKind,
    pub of: Uuid,
    /// The other document's name and date as they stood when the flag was set.
    pub file_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Processing {
    pub state: ProcessingState,
    /// Pages in the document (TIFF and PDF pages; 1 for other images), once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Pages with a 1600 px preview (every page of an image; none for PDFs).
    #[serde(default)]
    pub preview_pages: u32,
    /// Whether a PDF's first-page thumbnail exists.
    #[serde(default)]
    pub pdf_thumb: bool,
    /// Whether the document's text was stored (the text object).
    #[serde(default)]
    pub has_text: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perceptual_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<Duplicate>,
    /// Staff words for *failed* (no file names, no patient details).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the worker (or a verdict arriving on its own) last changed this outcome: what a
    /// FHIR bulk export's `_since` compares. Outcomes recorded before it existed have none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub at: Option<time::OffsetDateTime>,
}

impl Processing {
    pub fn queued() -> Self {
        Self {
            state: ProcessingState::Queued,
            pages: None,
            preview_pages: 0,
            pdf_thumb: false,
            has_text: false,
            perceptual_hash: None,
            duplicate: None,
            message: None,
            at: None,
        }
    }
}

impl crate::DocumentEntry {
    /// When the document last changed: added, stamped, detached or replaced, or its
    /// processing outcome recorded. `None` when that cannot be told (an outcome recorded
    /// before outcomes were timed): treat it as changed.
    pub fn last_changed(&self) -> Option<time::OffsetDateTime> {
        let outcome = match &self.processing {
            Some(p) if p.state != ProcessingState::Queued => Some(p.at?),
            _ => None,
        };
        [
            Some(self.created),
            self.stamp.as_ref().map(|s| s.at),
            self.status_change.as_ref().map(|c| c.at),
            outcome,
        ]
        .into_iter()
        .flatten()
        .max()
    }
}

const SHOWN_DATE: &[FormatItem<'static>] = format_description!("[day]-[month repr:short]-[year]");

/// The duplicate flag as staff read it: "Same file as lab-report-2.pdf, added 03-Dec-2026".
pub fn duplicate_note(duplicate: &Duplicate) -> String {
    let added = duplicate.added.format(SHOWN_DATE).unwrap_or_default();
    let name = crate::plain_text(&duplicate.file_name);
    match duplicate.kind {
        DuplicateKind::SameFile => format!("Same file as {name}, added {added}"),
        DuplicateKind::LooksLike => format!("Looks like {name}, added {added}"),
    }
}

/// What a list says while a document is not ready, or why it cannot be opened; None when it is
/// ready. Entries from before the worker (no processing record) read as their scan status says.
pub fn status_note(entry: &DocumentEntry) -> Option<String> {
    let Some(processing) = &entry.processing else {
        return match entry.scan_status {
            ScanStatus::Infected => Some(INFECTED.to_string()),
            _ => None,
        };
    };
    match (processing.state, entry.scan_status) {
        (_, ScanStatus::Infected) => Some(INFECTED.to_string()),
        (ProcessingState::Corrupted, _) => Some(
            "The stored file is not the file that was sent: it cannot be opened. Upload it again."
                .to_string(),
        ),
        (ProcessingState::Failed, _) => Some(match &processing.message {
            Some(why) => format!("Processing failed: {why}"),
            None => "Processing failed: the file could not be checked".to_string(),
        }),
        (ProcessingState::Queued, ScanStatus::Pending) => Some("Checking for viruses…".to_string()),
        (ProcessingState::Queued, _) => Some("Preparing preview…".to_string()),
        (ProcessingState::Done, ScanStatus::Pending) => Some("Checking for viruses…".to_string()),
        (ProcessingState::Done, ScanStatus::Clean) => None,
    }
}

const INFECTED: &str = "Blocked: a virus was found in this file. Records admins have been told.";

/// Whether the file may be handed out at all: clean, and (for an entry the worker handles) its
/// pass done: checked whole and its type by content. A pending verdict is never served, whatever
/// the configuration; nor is a queued entry that GuardDuty's event found clean before the pass.
pub fn may_serve(entry: &DocumentEntry) -> bool {
    match (&entry.processing, entry.scan_status) {
        (_, ScanStatus::Infected) => false,
        (Some(p), _) if p.state != ProcessingState::Done => false,
        (_, ScanStatus::Clean) => true,
        (_, ScanStatus::Pending) => false,
    }
}

/// Why a document's files may not be handed out, in the words staff read: the one reading of
/// `may_serve` for the server's opens and the desktop's offline copies (a copy kept before the
/// record said *infected* or *processing failed* must not open offline either).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Withheld {
    #[error(
        "This file was flagged by the virus scanner and cannot be opened. Contact the records team"
    )]
    Infected,
    /// Processing failed, or found the file damaged: its status note says why.
    #[error("{0}")]
    Failed(String),
    #[error(
        "This file has not been checked by the virus scanner yet, so it cannot be opened. Try again in a few minutes"
    )]
    Pending,
}

/// `None` when the document may be served (`may_serve`); otherwise why not.
pub fn withheld(entry: &DocumentEntry) -> Option<Withheld> {
    if entry.scan_status == ScanStatus::Infected {
        return Some(Withheld::Infected);
    }
    if may_serve(entry) {
        return None;
    }
    let failed = entry.processing.as_ref().is_some_and(|p| {
        matches!(
            p.state,
            ProcessingState::Failed | ProcessingState::Corrupted
        )
    });
    Some(if failed {
        Withheld::Failed(status_note(entry).unwrap_or_default())
    } else {
        Withheld::Pending
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests_support::entry;

    #[test]
    fn a_withheld_document_says_why_in_the_order_infected_failed_pending() {
        let mut e = entry();
        e.scan_status = ScanStatus::Clean;
        e.processing = None;
        assert_eq!(withheld(&e), None, "clean, from before the worker");
        e.processing = Some(Processing::queued());
        assert_eq!(
            withheld(&e),
            Some(Withheld::Pending),
            "clean, pass not done"
        );
        e.processing = Some(Processing {
            state: ProcessingState::Failed,
            ..Processing::queued()
        });
        assert!(matches!(withheld(&e), Some(Withheld::Failed(_))));
        e.scan_status = ScanStatus::Infected;
        assert_eq!(withheld(&e), Some(Withheld::Infected), "infected first");
    }

    #[test]
    fn a_queued_document_says_it_is_being_checked_and_is_not_served() {
        let mut e = entry();
        e.scan_status = ScanStatus::Pending;
        e.processing = Some(Processing::queued());
        assert_eq!(status_note(&e).as_deref(), Some("Checking for viruses…"));
        assert!(!may_serve(&e));
    }

    #[test]
    fn failed_and_corrupted_documents_are_never_served_even_when_found_clean() {
        for state in [ProcessingState::Failed, ProcessingState::Corrupted] {
            let mut e = entry();
            e.scan_status = ScanStatus::Clean;
            e.processing = Some(Processing {
                state,
                ..Processing::queued()
            });
            assert!(!may_serve(&e), "{state:?}");
            assert!(status_note(&e).is_some());
        }
    }

    #[test]
    fn a_queued_document_found_clean_before_its_pass_is_not_served_until_the_pass_is_done() {
        let mut e = entry();
        e.scan_status = ScanStatus::Clean;
        e.processing = Some(Processing::queued());
        assert!(
            !may_serve(&e),
            "the type and the whole file are not checked yet"
        );
        e.processing = Some(Processing {
            state: ProcessingState::Done,
            ..Processing::queued()
        });
        assert!(may_serve(&e));
    }

    #[test]
    fn a_document_from_before_the_worker_is_served_only_once_found_clean() {
        let mut e = entry();
        e.processing = None;
        e.scan_status = ScanStatus::Pending;
        assert!(!may_serve(&e));
        e.scan_status = ScanStatus::Clean;
        assert!(may_serve(&e));
    }

    #[test]
    fn an_infected_document_is_blocked_whatever_else_is_recorded() {
        let mut e = entry();
        e.scan_status = ScanStatus::Infected;
        e.processing = Some(Processing {
            state: ProcessingState::Done,
            ..Processing::queued()
        });
        assert!(!may_serve(&e));
        assert!(status_note(&e).is_some_and(|n| n.starts_with("Blocked")));
    }

    #[test]
    fn a_duplicate_is_named_with_the_other_files_name_and_date() {
        let d = Duplicate {
            kind: DuplicateKind::SameFile,
            of: Uuid::nil(),
            file_name: "lab-report-2.pdf".into(),
            added: time::macros::datetime!(2026-12-03 10:00 UTC),
        };
        assert_eq!(
            duplicate_note(&d),
            "Same file as lab-report-2.pdf, added 03-Dec-2026"
        );
    }

    #[test]
    fn a_document_last_changed_at_its_latest_stamp_detach_or_recorded_outcome() {
        let mut e = entry();
        let added = e.created;
        assert_eq!(e.last_changed(), Some(added));
        let later = added + time::Duration::hours(2);
        e.processing = Some(Processing {
            state: ProcessingState::Done,
            at: Some(later),
            ..Processing::queued()
        });
        assert_eq!(e.last_changed(), Some(later));
        e.stamp = Some(crate::Stamp {
            label: "Verified".into(),
            by: "dr.okafor".into(),
            at: added + time::Duration::hours(1),
        });
        assert_eq!(e.last_changed(), Some(later));
        // An outcome recorded before outcomes were timed: when it changed cannot be told.
        e.processing.as_mut().unwrap().at = None;
        assert_eq!(e.last_changed(), None);
    }
}
