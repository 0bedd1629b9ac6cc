//! `POST /fhir/R4/DocumentReference` in two steps, in-process: no data, `202` with `/v1`'s
//! presigned PUT(s) as Parameters, the client PUTs, the same POST completes.

use chartdesk_domain::sha256_hex;
use chartdesk_sandbox::demo_pdf;
use serde_json::{json, Value};
use uuid::Uuid;

use super::create::{post, posted, with_patient, LAB};
use crate::harness::token;
use crate::in_process::Local;

const EXT: &str = "https://chartdesk.nhs.uk/fhir/StructureDefinition/";

/// The resource of a two-step create: no data, the size and SHA-256 (and each 8 MiB part's).
fn announced(mrn: &str, id: Uuid, bytes: &[u8]) -> Value {
    let mut resource = posted("", LAB, "scan.pdf", "application/pdf", b"");
    resource["subject"] = json!({ "reference": format!("Patient/{mrn}") });
    resource["masterIdentifier"] =
        json!({ "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{id}") });
    let attachment = &mut resource["content"][0]["attachment"];
    attachment.as_object_mut().unwrap().remove("data");
    attachment["size"] = json!(bytes.len());
    let mut extension =
        vec![json!({ "url": format!("{EXT}attachment-sha256"), "valueString": sha256_hex(bytes) })];
    if bytes.len() > 8 << 20 {
        for part in bytes.chunks(8 << 20) {
            extension.push(
                json!({ "url": format!("{EXT}part-sha256"), "valueString": sha256_hex(part) }),
            );
        }
    }
    attachment["extension"] = json!(extension);
    resource
}

/// Sends the file as the `202` Parameters say; the ETag of each part sent.
fn put_as_told(api: &Local, parameters: &Value, bytes: &[u8]) -> Vec<(i64, String)> {
    assert_eq!(parameters["resourceType"], "Parameters", "{parameters}");
    let mut sent = Vec::new();
    for put in parameters["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "put")
    {
        let fields = put["part"].as_array().unwrap();
        let part = |name: &'static str| fields.iter().filter(move |p| p["name"] == name);
        let number = part("partNumber")
            .next()
            .map(|p| p["valueInteger"].as_i64().unwrap());
        let url = part("url").next().unwrap()["valueUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let headers = part("header")
            .map(|h| {
                let (name, value) = h["valueString"].as_str().unwrap().split_once(": ").unwrap();
                (name.to_string(), value.to_string())
            })
            .collect();
        let body = match number {
            Some(n) => bytes.chunks(8 << 20).nth(n as usize - 1).unwrap(),
            None => bytes,
        };
        let request = chartdesk_records::store::Presigned {
            method: "PUT".into(),
            url,
            headers,
        };
        let etag = api.store.send(&request, body).unwrap();
        sent.extend(number.map(|n| (n, etag)));
    }
    sent
}

#[tokio::test]
async fn a_file_over_8_mib_is_created_in_two_steps_through_the_presigned_multipart_upload() {
    let api = with_patient("32000004", "9451600108", false).await;
    let nurse = token("nurse.hughes").await;
    let mut pdf = demo_pdf("Large scan", "Two steps");
    pdf.resize(9 << 20, b' ');
    let id = Uuid::now_v7();
    let mut resource = announced("32000004", id, &pdf);
    let first = post(&api, &nurse, &resource, &[]).await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert!(api.manifest("32000004").await.documents.is_empty());
    let parts = put_as_told(&api, &first.body, &pdf);
    assert_eq!(parts.len(), 2);
    let upload_id = first.body["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "uploadId")
        .unwrap()["valueString"]
        .clone();
    let extension = resource["content"][0]["attachment"]["extension"]
        .as_array_mut()
        .unwrap();
    extension.push(json!({ "url": format!("{EXT}upload-id"), "valueString": upload_id }));
    for (n, etag) in parts {
        extension.push(
            json!({ "url": format!("{EXT}uploaded-part"), "valueString": format!("{n}:{etag}") }),
        );
    }
    let created = post(&api, &nurse, &resource, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let attachment = &created.body["content"][0]["attachment"];
    assert_eq!(attachment["size"], pdf.len());
    assert_eq!(attachment["extension"][0]["valueString"], sha256_hex(&pdf));
    let again = post(&api, &nurse, &resource, &[]).await;
    assert_eq!((again.status, &again.body), (200, &created.body));
}

#[tokio::test]
async fn a_small_file_may_take_two_steps_too_with_one_presigned_put() {
    let api = with_patient("32000003", "9451600116", false).await;
    let nurse = token("nurse.hughes").await;
    let pdf = demo_pdf("Small", "One PUT");
    let resource = announced("32000003", Uuid::now_v7(), &pdf);
    let first = post(&api, &nurse, &resource, &[]).await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert!(
        put_as_told(&api, &first.body, &pdf).is_empty(),
        "one PUT, no parts"
    );
    let created = post(&api, &nurse, &resource, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(api.manifest("32000003").await.documents.len(), 1);
}
