//! A malformed address or query gets the `{code, message}` every other refusal has (the OpenAPI
//! document promises an `ErrorBody` for each 400), in staff words, echoing nothing sent. In-process.

use crate::harness::token;
use crate::in_process::Local;

#[tokio::test]
async fn a_malformed_document_id_or_filter_is_a_400_error_body_that_echoes_nothing() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    for path in [
        "/v1/patients/10000001/documents/not-a-uuid",
        "/v1/patients/10000001/documents?category=not-a-category",
        "/v1/patients/10000001/audit?limit=many",
    ] {
        let (status, body) = api.get(&t, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["code"], "invalid_input", "{path}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(!message.is_empty(), "{path}");
        for sent in ["not-a-uuid", "not-a-category", "many", "10000001"] {
            assert!(
                !message.contains(sent),
                "{path}: the message echoes {sent:?}"
            );
        }
    }
}
