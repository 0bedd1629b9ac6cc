//! A document entry as a UK Core-shaped DocumentReference: its category's SNOMED type, status
//! from attached/replaced/detached, the stamp as `authenticator`, the uploader as `author`,
//! the original as `content.attachment` (with its SHA-256 as an extension) and the worker's
//! outcome as `docStatus` plus extensions.

use chartdesk_domain::{DocumentEntry, DocumentStatus, ProcessingState, ScanStatus};
use serde::{Deserialize, Serialize};

use crate::codes::{self, EXT_PAGES, EXT_PROCESSING, EXT_SHA256, UK_CORE_DOCUMENT_REFERENCE};
use crate::{CodeableConcept, Extension, Identifier, Meta, Reference};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentReference {
    pub resource_type: String,
    pub id: String,
    pub meta: Meta,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    pub master_identifier: Identifier,
    pub status: String,
    pub doc_status: String,
    #[serde(rename = "type")]
    pub type_: CodeableConcept,
    pub category: Vec<CodeableConcept>,
    pub subject: Reference,
    pub date: String,
    pub author: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator: Option<Reference>,
    pub content: Vec<Content>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    pub attachment: Attachment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    pub content_type: String,
    /// `Binary/{id}`: only for a document that may be served (`may_serve`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub size: u64,
    pub title: String,
    pub creation: String,
}

/// Whether a document of this status is in a search for `status` (`current`, `superseded`,
/// `entered-in-error`); deleted documents are in none.
pub fn status(status: DocumentStatus) -> Option<&'static str> {
    match status {
        DocumentStatus::Attached => Some("current"),
        DocumentStatus::Replaced => Some("superseded"),
        DocumentStatus::Detached => Some("entered-in-error"),
        DocumentStatus::Deleted => None,
    }
}

/// `docStatus`: final once the worker checked it clean, preliminary while pending,
/// entered-in-error when it found the file infected, corrupted or unreadable.
fn doc_status(entry: &DocumentEntry) -> &'static str {
    let state = entry.processing.as_ref().map(|p| p.state);
    match (state, entry.scan_status) {
        (_, ScanStatus::Infected) => "entered-in-error",
        (Some(ProcessingState::Failed | ProcessingState::Corrupted), _) => "entered-in-error",
        (_, ScanStatus::Clean) => "final",
        (_, ScanStatus::Pending) => "preliminary",
    }
}

/// The worker's outcome as one code: `clean`, `pending`, `infected`, `failed`, `corrupted`.
fn processing_code(entry: &DocumentEntry) -> &'static str {
    let state = entry.processing.as_ref().map(|p| p.state);
    match (state, entry.scan_status) {
        (_, ScanStatus::Infected) => "infected",
        (Some(ProcessingState::Failed), _) => "failed",
        (Some(ProcessingState::Corrupted), _) => "corrupted",
        (_, ScanStatus::Clean) => "clean",
        (_, ScanStatus::Pending) => "pending",
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// What the mapping needs beside the entry.
pub struct Context<'a> {
    /// The resource id (`ids::document_id`).
    pub id: &'a str,
    pub nhs_digits: &'a str,
    /// Whether the verdict lets the original be served (`chartdesk_domain::may_serve`).
    pub servable: bool,
}

/// `entry` as FHIR; `None` for a deleted document (never shown).
pub fn document_reference(entry: &DocumentEntry, cx: &Context<'_>) -> Option<DocumentReference> {
    let status = status(entry.status)?;
    let mut extension = vec![Extension::code(EXT_PROCESSING, processing_code(entry))];
    if let Some(pages) = entry.processing.as_ref().and_then(|p| p.pages) {
        extension.push(Extension {
            url: EXT_PAGES.into(),
            value_unsigned_int: Some(pages),
            ..Default::default()
        });
    }
    let title = chartdesk_domain::typed_name(&entry.file_name, &entry.content_type);
    Some(DocumentReference {
        resource_type: "DocumentReference".into(),
        id: cx.id.into(),
        meta: Meta {
            profile: vec![UK_CORE_DOCUMENT_REFERENCE.into()],
        },
        extension,
        master_identifier: Identifier::new(codes::URI_SYSTEM, &format!("urn:uuid:{}", entry.id)),
        status: status.into(),
        doc_status: doc_status(entry).into(),
        type_: CodeableConcept::of(vec![codes::document_type(entry.category)]),
        category: vec![CodeableConcept::of(vec![codes::category(entry.category)])],
        subject: Reference {
            identifier: Some(Identifier::new(codes::NHS_NUMBER_SYSTEM, cx.nhs_digits)),
            ..Default::default()
        },
        date: rfc3339(entry.created),
        author: vec![Reference::display(&entry.uploaded_by)],
        authenticator: entry
            .stamp
            .as_ref()
            .map(|s| Reference::display(&format!("{} by {} at {}", s.label, s.by, rfc3339(s.at)))),
        content: vec![Content {
            attachment: Attachment {
                extension: vec![Extension::string(EXT_SHA256, entry.sha256.clone())],
                content_type: entry.content_type.clone(),
                url: cx.servable.then(|| format!("Binary/{}", cx.id)),
                size: entry.size,
                title,
                creation: rfc3339(entry.created),
            },
        }],
    })
}
