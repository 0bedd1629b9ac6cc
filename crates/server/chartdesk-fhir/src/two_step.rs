//! The first answer of a two-step create (`202 Accepted`): a `Parameters` resource naming where
//! the client PUTs the file (or each 8 MiB part of it, if it declared parts), with the headers it must send as they
//! are (the SHA-256 the store checks). The client then POSTs the same resource again.

use serde_json::{json, Value};
use uuid::Uuid;

/// One presigned PUT: the whole file, or part `part` of a multipart upload.
pub struct Put {
    pub part: Option<i32>,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// Where the file goes: the document id to POST again with, how long the addresses last, the
/// multipart upload's id and part size (a file declared in 8 MiB parts) and each PUT.
pub fn upload_parameters(
    doc_id: Uuid,
    expires_in_seconds: u64,
    multipart: Option<(&str, u64)>,
    puts: &[Put],
) -> Value {
    let mut parameter = vec![
        json!({ "name": "documentId", "valueUuid": format!("urn:uuid:{doc_id}") }),
        json!({ "name": "expiresInSeconds", "valueInteger": expires_in_seconds }),
    ];
    if let Some((upload_id, part_size)) = multipart {
        parameter.push(json!({ "name": "uploadId", "valueString": upload_id }));
        parameter.push(json!({ "name": "partSize", "valueInteger": part_size }));
    }
    for put in puts {
        let mut part = Vec::new();
        if let Some(number) = put.part {
            part.push(json!({ "name": "partNumber", "valueInteger": number }));
        }
        part.push(json!({ "name": "method", "valueCode": "PUT" }));
        part.push(json!({ "name": "url", "valueUrl": put.url }));
        for (name, value) in &put.headers {
            part.push(json!({ "name": "header", "valueString": format!("{name}: {value}") }));
        }
        parameter.push(json!({ "name": "put", "part": part }));
    }
    json!({ "resourceType": "Parameters", "parameter": parameter })
}
