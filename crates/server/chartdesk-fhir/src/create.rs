//! A posted DocumentReference read back into what a `/v1` upload declares (the reverse of
//! `document_reference`): the subject, the category (from our SNOMED type or our category
//! code), the attachment, the client's document id and the replace-oldest choice. Pure: the
//! server finds the record, decodes the bytes and applies every `/v1` rule.

use chartdesk_domain::Category;
use serde::Deserialize;
use uuid::Uuid;

use crate::codes::{self, EXT_REPLACE_OLDEST, EXT_SHA256, NHS_NUMBER_SYSTEM, URI_SYSTEM};
use crate::codes::{EXT_PART_SHA256, EXT_UPLOADED_PART, EXT_UPLOAD_ID};
use crate::{CodeableConcept, Extension, Identifier, Reference};

/// Whom the document is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `subject.identifier` (the NHS number, or the trust's MRN system) as a token `system|value`.
    Token(String),
    /// `subject.reference` `Patient/{mrn}`.
    Mrn(String),
}

/// What a posted DocumentReference asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// From `masterIdentifier` (or an `identifier`) `urn:ietf:rfc:3986|urn:uuid:{id}`.
    pub doc_id: Option<Uuid>,
    pub subject: Subject,
    pub category: Category,
    pub content_type: String,
    /// The file name staff see (`attachment.title`).
    pub title: String,
    /// Base64 bytes inline; none for the two-step upload.
    pub data: Option<String>,
    pub size: Option<u64>,
    /// Lower-case hex SHA-256 (the attachment's SHA-256 extension).
    pub sha256: Option<String>,
    pub replace_oldest: bool,
    /// The two-step upload's parts (`codes::EXT_PART_SHA256` and what S3 accepted).
    pub parts: TwoStep,
}

/// What a two-step upload in parts (a file over 8 MiB, the client's choice) carries (empty
/// for one PUT).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TwoStep {
    pub part_sha256: Vec<String>,
    /// With the second POST: the multipart upload's id and the parts sent (number, ETag).
    pub upload_id: Option<String>,
    pub uploaded: Vec<(i32, String)>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CreateError {
    #[error("Send a DocumentReference resource")]
    NotADocumentReference,
    #[error("Give the patient as subject.identifier (https://fhir.nhs.uk/Id/nhs-number) or subject.reference Patient/{{MRN}}")]
    NoSubject,
    #[error(
        "Give the document's type (SNOMED CT, as this server maps its categories) or its category"
    )]
    NoCategory,
    #[error("Give one content.attachment with its contentType and title")]
    NoAttachment,
    #[error("The document id is given as urn:ietf:rfc:3986|urn:uuid:{{id}}")]
    BadIdentifier,
    #[error("Each part sent is given as {{part number}}:{{ETag}}")]
    BadPart,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Posted {
    resource_type: String,
    #[serde(default)]
    extension: Vec<Extension>,
    master_identifier: Option<Identifier>,
    #[serde(default)]
    identifier: Vec<Identifier>,
    #[serde(rename = "type")]
    type_: Option<CodeableConcept>,
    #[serde(default)]
    category: Vec<CodeableConcept>,
    subject: Option<Reference>,
    #[serde(default)]
    content: Vec<PostedContent>,
}

#[derive(Deserialize)]
struct PostedContent {
    attachment: PostedAttachment,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostedAttachment {
    #[serde(default)]
    extension: Vec<Extension>,
    content_type: Option<String>,
    data: Option<String>,
    size: Option<u64>,
    title: Option<String>,
}

/// The document id an identifier names: `urn:ietf:rfc:3986` | `urn:uuid:{id}`.
pub fn document_uuid(identifier: &Identifier) -> Option<Uuid> {
    if identifier.system.as_deref() != Some(URI_SYSTEM) {
        return None;
    }
    let value = identifier.value.as_deref()?.strip_prefix("urn:uuid:")?;
    Uuid::parse_str(value).ok()
}

/// The document id an `If-None-Exist: identifier=urn:ietf:rfc:3986|urn:uuid:{id}` names.
pub fn if_none_exist(query: &str) -> Option<Uuid> {
    let token = query.strip_prefix("identifier=")?;
    let (system, value) = token.split_once('|')?;
    document_uuid(&Identifier::new(system, value))
}

fn category_of(type_: Option<&CodeableConcept>, category: &[CodeableConcept]) -> Option<Category> {
    let token = |c: &crate::Coding| {
        format!(
            "{}|{}",
            c.system.as_deref().unwrap_or_default(),
            c.code.as_deref().unwrap_or_default()
        )
    };
    let by_type = type_
        .into_iter()
        .flat_map(|t| &t.coding)
        .find_map(|c| codes::category_from_type_token(&token(c)));
    by_type.or_else(|| {
        category
            .iter()
            .flat_map(|t| &t.coding)
            .find_map(|c| codes::category_from_token(&token(c)))
    })
}

fn subject_of(subject: Option<&Reference>) -> Option<Subject> {
    let subject = subject?;
    if let Some(id) = &subject.identifier {
        // The server reads the token as a search does (NHS number or the trust's MRN system).
        let system = id.system.as_deref().unwrap_or(NHS_NUMBER_SYSTEM);
        return Some(Subject::Token(format!("{system}|{}", id.value.as_deref()?)));
    }
    let mrn = subject.reference.as_deref()?.strip_prefix("Patient/")?;
    (!mrn.is_empty()).then(|| Subject::Mrn(mrn.to_string()))
}

/// `body` (a posted DocumentReference) read as a new document.
pub fn new_document(body: &[u8]) -> Result<NewDocument, CreateError> {
    let posted: Posted =
        serde_json::from_slice(body).map_err(|_| CreateError::NotADocumentReference)?;
    if posted.resource_type != "DocumentReference" {
        return Err(CreateError::NotADocumentReference);
    }
    let mut ids = posted.master_identifier.iter().chain(&posted.identifier);
    let doc_id = match posted
        .master_identifier
        .as_ref()
        .or(posted.identifier.first())
    {
        Some(_) => Some(
            ids.find_map(document_uuid)
                .ok_or(CreateError::BadIdentifier)?,
        ),
        None => None,
    };
    let subject = subject_of(posted.subject.as_ref()).ok_or(CreateError::NoSubject)?;
    let category =
        category_of(posted.type_.as_ref(), &posted.category).ok_or(CreateError::NoCategory)?;
    let [content] =
        <[PostedContent; 1]>::try_from(posted.content).map_err(|_| CreateError::NoAttachment)?;
    let attachment = content.attachment;
    let (Some(content_type), Some(title)) = (attachment.content_type, attachment.title) else {
        return Err(CreateError::NoAttachment);
    };
    let strings = |url: &str| -> Vec<String> {
        attachment
            .extension
            .iter()
            .filter(|e| e.url == url)
            .filter_map(|e| e.value_string.clone())
            .collect()
    };
    let sha256 = strings(EXT_SHA256).into_iter().next();
    let uploaded = strings(EXT_UPLOADED_PART)
        .iter()
        .map(|p| {
            let (number, etag) = p.split_once(':')?;
            Some((number.parse().ok()?, etag.to_string()))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(CreateError::BadPart)?;
    let parts = TwoStep {
        part_sha256: strings(EXT_PART_SHA256),
        upload_id: strings(EXT_UPLOAD_ID).into_iter().next(),
        uploaded,
    };
    let replace_oldest = posted
        .extension
        .iter()
        .any(|e| e.url == EXT_REPLACE_OLDEST && e.value_boolean == Some(true));
    Ok(NewDocument {
        doc_id,
        subject,
        category,
        content_type,
        title,
        data: attachment.data,
        size: attachment.size,
        sha256,
        replace_oldest,
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn posted(extra: serde_json::Value) -> Vec<u8> {
        let mut body = json!({
            "resourceType": "DocumentReference",
            "status": "current",
            "type": { "coding": [{ "system": codes::SNOMED, "code": "4241000179101" }] },
            "subject": { "identifier": { "system": NHS_NUMBER_SYSTEM, "value": "9434765919" } },
            "content": [{ "attachment": { "contentType": "application/pdf", "title": "fbc.pdf", "data": "JVBERi0=" } }]
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body.to_string().into_bytes()
    }

    #[test]
    fn a_posted_document_names_its_patient_category_and_id() {
        let id = Uuid::now_v7();
        let body = posted(json!({
            "masterIdentifier": { "system": URI_SYSTEM, "value": format!("urn:uuid:{id}") },
            "extension": [{ "url": EXT_REPLACE_OLDEST, "valueBoolean": true }]
        }));
        let new = new_document(&body).unwrap();
        assert_eq!(new.doc_id, Some(id));
        assert_eq!(new.category, Category::Lab);
        assert_eq!(
            new.subject,
            Subject::Token(format!("{NHS_NUMBER_SYSTEM}|9434765919"))
        );
        assert_eq!(new.data.as_deref(), Some("JVBERi0="));
        assert!(new.replace_oldest);
    }

    #[test]
    fn a_subject_by_mrn_and_a_category_code_are_read_too() {
        let body = posted(json!({
            "type": null,
            "category": [{ "coding": [{ "system": codes::CATEGORY_SYSTEM, "code": "preop" }] }],
            "subject": { "reference": "Patient/32000001" }
        }));
        let new = new_document(&body).unwrap();
        assert_eq!(new.category, Category::Preop);
        assert_eq!(new.subject, Subject::Mrn("32000001".into()));
        assert_eq!(new.doc_id, None);
        assert!(!new.replace_oldest);
    }

    #[test]
    fn an_unknown_type_or_a_bad_identifier_is_refused() {
        let body =
            posted(json!({ "type": { "coding": [{ "system": codes::SNOMED, "code": "1" }] } }));
        assert_eq!(new_document(&body), Err(CreateError::NoCategory));
        let body = posted(json!({ "masterIdentifier": { "system": URI_SYSTEM, "value": "x" } }));
        assert_eq!(new_document(&body), Err(CreateError::BadIdentifier));
        assert_eq!(new_document(b"{}"), Err(CreateError::NotADocumentReference));
    }

    #[test]
    fn if_none_exist_names_a_document_id() {
        let id = Uuid::now_v7();
        let query = format!("identifier={URI_SYSTEM}|urn:uuid:{id}");
        assert_eq!(if_none_exist(&query), Some(id));
        assert_eq!(if_none_exist("identifier=other|urn:uuid:x"), None);
    }
}
