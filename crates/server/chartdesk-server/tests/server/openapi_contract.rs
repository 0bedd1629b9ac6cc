//! The published OpenAPI document is part of the contract: outside tools (validators,
//! fuzzers, generated clients) read it, so it must say where each parameter goes, type the
//! path parameters, and give every refusal the `{code, message}` shape.

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(chartdesk_server::openapi()).unwrap()
}

/// (method, path, operation) for every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

fn parameters(operation: &Value) -> Vec<Value> {
    operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The `{name}` segments of a path template.
fn template_names(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}

#[test]
fn only_the_path_templates_names_are_declared_in_path() {
    let doc = document();
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&doc) {
        let names = template_names(&path);
        for p in parameters(&operation) {
            let name = p["name"].as_str().unwrap();
            if p["in"] == "path" && !names.iter().any(|n| n == name) {
                wrong.push(format!("{method} {path}: {name} is declared in path"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_path_template_name_has_exactly_one_typed_path_parameter() {
    let doc = document();
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&doc) {
        for name in template_names(&path) {
            let declared: Vec<Value> = parameters(&operation)
                .into_iter()
                .filter(|p| p["in"] == "path" && p["name"] == name.as_str())
                .collect();
            if declared.len() != 1 || declared[0]["required"] != true {
                wrong.push(format!(
                    "{method} {path}: {name} declared {}",
                    declared.len()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn path_mrns_follow_the_default_mrn_pattern_and_document_ids_are_uuids() {
    let doc = document();
    let mut checked = 0;
    for (method, path, operation) in operations(&doc) {
        for p in parameters(&operation).iter().filter(|p| p["in"] == "path") {
            let schema = &p["schema"];
            match p["name"].as_str().unwrap() {
                "mrn" => assert_eq!(
                    schema["pattern"],
                    chartdesk_domain::DEFAULT_MRN_PATTERN,
                    "{method} {path}"
                ),
                "doc_id" => assert_eq!(schema["format"], "uuid", "{method} {path}"),
                other => panic!("{method} {path}: undocumented path parameter {other}"),
            }
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} path parameters seen");
}

#[test]
fn category_and_view_query_parameters_are_enums() {
    let doc = document();
    let categories = &doc["components"]["schemas"]["Category"]["enum"];
    assert_eq!(categories.as_array().unwrap().len(), 7);
    for (method, path, operation) in operations(&doc) {
        for p in parameters(&operation) {
            if p["name"] == "category" || p["name"] == "view" {
                assert_eq!(p["in"], "query", "{method} {path}");
                let reference = p["schema"]["$ref"].as_str().unwrap_or_default();
                assert!(
                    reference.ends_with("/Category") || reference.ends_with("/DocumentView"),
                    "{method} {path}: {} is not an enum: {}",
                    p["name"],
                    p["schema"]
                );
            }
        }
    }
}

fn error_body(operation: &Value, status: &str) -> bool {
    operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/ErrorBody"
}

#[test]
fn every_operation_documents_its_refusals_as_error_bodies() {
    let doc = document();
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&doc) {
        let takes_input =
            operation.get("requestBody").is_some() || !parameters(&operation).is_empty();
        let needs_token = operation.get("security").is_some();
        // Health and the client config take nothing and need nothing: nothing to refuse.
        if (takes_input || needs_token)
            && !operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .any(|status| status.starts_with('4') && error_body(&operation, status))
        {
            wrong.push(format!("{method} {path}: no 4xx ErrorBody"));
        }
        if takes_input && !error_body(&operation, "400") {
            wrong.push(format!("{method} {path}: takes input, no 400 ErrorBody"));
        }
        if needs_token && !error_body(&operation, "401") {
            wrong.push(format!("{method} {path}: needs a token, no 401 ErrorBody"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn operation_ids_are_unique() {
    let doc = document();
    let mut ids: Vec<String> = operations(&doc)
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().unwrap().to_string())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate operation ids");
}

#[test]
fn request_bodies_carry_the_constraints_the_server_enforces() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let property = |schema: &str, name: &str| schemas[schema]["properties"][name].clone();
    for (schema, name) in [
        ("StartUpload", "mrn"),
        ("AbortUpload", "mrn"),
        ("OfflineView", "mrn"),
        ("PatientRegistration", "superseded_by"),
    ] {
        assert_eq!(
            property(schema, name)["pattern"],
            chartdesk_domain::DEFAULT_MRN_PATTERN,
            "{schema}.{name}"
        );
    }
    assert_eq!(
        property("StartUpload", "sha256")["pattern"],
        "^[0-9a-f]{64}$"
    );
    assert_eq!(property("StartUpload", "file_name")["maxLength"], 255);
    assert!(property("PatientRegistration", "nhs_number")["pattern"].is_string());
    assert_eq!(property("DeleteDocument", "reason")["maxLength"], 500);
    for batch in ["StartUploads", "CompleteUploads"] {
        assert_eq!(
            property(batch, "uploads")["maxItems"],
            chartdesk_api::MAX_UPLOADS_PER_REQUEST,
            "{batch}"
        );
    }
}

/// A published pattern, compiled as a fuzzer or a client would use it.
fn published_pattern(schema: &str, name: &str) -> regex::Regex {
    let doc = document();
    let pattern = &doc["components"]["schemas"][schema]["properties"][name]["pattern"];
    regex::Regex::new(pattern.as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn the_published_postcode_pattern_admits_exactly_what_registration_accepts() {
    let pattern = published_pattern("PatientRegistration", "postcode");
    let samples = [
        "LS1 4AP",
        "ls14ap",
        " M1 1AA ",
        "EC1A 1BB",
        "W1A 0AX",
        "NOT A POSTCODE",
        "1S1 4AP",
        "LS1 AAP",
        "LS",
        "ABCDEFGH1AA",
        "LS1-4AP",
    ];
    for postcode in samples {
        let api = crate::in_process::Local::new().await;
        let admin = crate::harness::token("admin.byrne").await;
        let mut body = crate::break_glass_everyone::patient_body("9434765919", false);
        body["postcode"] = postcode.into();
        let (status, answer) = api
            .request("PUT", &admin, "/v1/patients/30008001", &[], Some(&body))
            .await;
        assert_eq!(
            status == 200,
            pattern.is_match(postcode),
            "{postcode:?}: the server said {status} {answer}"
        );
    }
}

#[test]
fn the_published_code_pattern_is_six_digits_spaces_aside() {
    let pattern = published_pattern("CodeAnswer", "code");
    for (code, ok) in [
        ("123456", true),
        ("123 456", true),
        (" 1 2 3 4 5 6 ", true),
        ("12345", false),
        ("1234567", false),
        ("12a456", false),
    ] {
        assert_eq!(pattern.is_match(code), ok, "{code:?}");
    }
}

/// A published query parameter's pattern, compiled as a fuzzer or a client would use it.
fn published_query_pattern(path: &str, name: &str) -> regex::Regex {
    let doc = document();
    let parameter = parameters(&doc["paths"][path]["get"])
        .into_iter()
        .find(|p| p["name"] == name)
        .unwrap();
    regex::Regex::new(parameter["schema"]["pattern"].as_str().unwrap()).unwrap()
}

#[test]
fn the_published_find_pattern_admits_every_query_the_find_reads() {
    let pattern = published_query_pattern("/v1/patients", "q");
    let format = chartdesk_domain::MrnFormat::default();
    let read = [
        "9434765919",
        "943 476 5919",
        "943-476-5919",
        "-9434765919",
        "9 4 3 4 7 6 5 9 1 9",
        "943   476   5919",
        "NHS 943 476 5919",
        "nhs:9434765919",
        "NHS:\t943 476 5919",
        "\t9434765919",
        "9434765919\n",
        "10000001",
        " 123456 ",
        "MRN 123456789012",
        "MRN: 10000001",
        "mrn\u{a0}10000001",
    ];
    for q in read {
        let readable = chartdesk_domain::PatientQuery::parse(q, &format).is_ok();
        assert!(readable, "{q:?}: a sample the find reads");
        assert!(
            pattern.is_match(q),
            "{q:?}: the find reads it, so the schema admits it"
        );
    }
    // An NHS number's check digit is not in the pattern: those are the server's to refuse.
    for q in [
        "abc",
        "12345",
        "MRN 12345",
        "1234567890123",
        "NHS 123456",
        "943 476 591a",
        " ",
    ] {
        let readable = chartdesk_domain::PatientQuery::parse(q, &format).is_ok();
        assert!(!readable, "{q:?}: a sample the find refuses");
        assert!(
            !pattern.is_match(q),
            "{q:?}: the find refuses it, so the schema does"
        );
    }
}

#[test]
fn the_published_user_name_pattern_refuses_only_what_sign_in_calls_blank() {
    for (schema, name) in [
        ("SignInRequest", "username"),
        ("RefreshRequest", "username"),
        ("RefreshRequest", "refresh_token"),
    ] {
        let pattern = published_pattern(schema, name);
        for value in [
            "dr.okafor",
            " a ",
            "\u{1c}",
            "\u{feff}",
            "",
            " ",
            "\t\n",
            "\u{85}\u{a0}",
        ] {
            // As sign-in and refresh judge it (chartdesk-signin): blank once trimmed.
            let accepted = !value.trim().is_empty();
            assert_eq!(
                pattern.is_match(value),
                accepted,
                "{schema}.{name}: {value:?}"
            );
        }
    }
}
