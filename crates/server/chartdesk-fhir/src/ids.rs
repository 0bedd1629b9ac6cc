//! Resource ids. A Patient's id is its MRN. A document is found through its patient's record,
//! so a DocumentReference's (and its Binary's) id carries both: `{mrn}-{document uuid}`, split
//! from the right (a UUID is always 36 characters).

use uuid::Uuid;

/// The id of a document of the record `mrn`.
pub fn document_id(mrn: &str, doc: Uuid) -> String {
    format!("{mrn}-{doc}")
}

/// The MRN and document a document id names, if it has that shape.
pub fn parse_document_id(id: &str) -> Option<(&str, Uuid)> {
    let split = id.len().checked_sub(37)?;
    let (mrn, rest) = (id.get(..split)?, id.get(split..)?);
    let doc = Uuid::parse_str(rest.strip_prefix('-')?).ok()?;
    (!mrn.is_empty()).then_some((mrn, doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_id_names_its_record_and_document() {
        let doc = Uuid::now_v7();
        let id = document_id("10000001", doc);
        assert_eq!(parse_document_id(&id), Some(("10000001", doc)));
        assert_eq!(parse_document_id(&doc.to_string()), None);
        assert_eq!(parse_document_id("10000001-nope"), None);
    }
}
