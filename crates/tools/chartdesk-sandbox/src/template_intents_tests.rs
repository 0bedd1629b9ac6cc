//! What `infra/template.yaml` must keep saying (cfn-lint checks its syntax, not its intent).
//! Read as text, by indentation, as the server-role test beside it does: each assertion names
//! the setting a change would break.

const TEMPLATE: &str = include_str!("../../../../infra/template.yaml");

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn skipped(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The first line whose text is `key` (or starts with `key `) and the lines nested under it.
fn block(text: &str, key: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            let t = l.trim();
            t == key || t.starts_with(&format!("{key} "))
        })
        .unwrap_or_else(|| panic!("the template lacks {key}"));
    let depth = indent(lines[start]);
    let mut out = vec![lines[start]];
    for line in &lines[start + 1..] {
        if skipped(line) {
            continue;
        }
        if indent(line) <= depth {
            break;
        }
        out.push(line);
    }
    out.join("\n")
}

/// The value written after `key` on its line.
fn value(text: &str, key: &str) -> String {
    block(text, key)
        .lines()
        .next()
        .and_then(|l| l.trim().strip_prefix(key))
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_default()
}

/// The blocks directly under the first line of `parent`.
fn children(parent: &str) -> Vec<String> {
    let mut lines = parent.lines().filter(|l| !skipped(l));
    lines.next();
    let rest: Vec<&str> = lines.collect();
    let Some(depth) = rest.iter().map(|l| indent(l)).min() else {
        return vec![];
    };
    let mut out: Vec<Vec<&str>> = vec![];
    for line in rest {
        if indent(line) == depth {
            out.push(vec![line]);
        } else if let Some(child) = out.last_mut() {
            child.push(line);
        }
    }
    out.into_iter().map(|c| c.join("\n")).collect()
}

/// A top-level section (`Parameters:`, `Resources:`), not a key of that name deeper down.
fn section(name: &str) -> String {
    let at = TEMPLATE
        .find(&format!("\n{name}:\n"))
        .unwrap_or_else(|| panic!("the template lacks {name}"));
    block(&TEMPLATE[at + 1..], &format!("{name}:"))
}

fn resource(name: &str) -> String {
    block(&section("Resources"), &format!("{name}:"))
}

#[test]
fn mfa_is_required_unless_a_trust_chooses_otherwise() {
    assert_eq!(
        value(&resource("UserPool"), "MfaConfiguration:"),
        "!Ref MfaMode"
    );
    let mode = block(&section("Parameters"), "MfaMode:");
    assert_eq!(value(&mode, "Default:"), "ON");
}

#[test]
fn the_bucket_policy_refuses_a_document_write_without_if_none_match() {
    let statement = block(
        &resource("RecordsBucketPolicy"),
        "- Sid: DenyDocumentOverwrite",
    );
    assert_eq!(value(&statement, "Effect:"), "Deny");
    assert_eq!(value(&statement, "Principal:"), "*");
    assert_eq!(value(&statement, "Action:"), "s3:PutObject");
    for prefix in ["originals", "optimized", "thumb"] {
        let arn = format!("!Sub \"${{RecordsBucket.Arn}}/patients/*/{prefix}/*\"");
        assert!(
            statement.contains(&arn),
            "DenyDocumentOverwrite lacks {arn}"
        );
    }
    let null = block(&block(&statement, "Condition:"), "\"Null\":");
    assert_eq!(value(&null, "s3:if-none-match:"), "true");
}

#[test]
fn the_server_may_delete_document_objects_exports_and_replaced_manifest_parts_only() {
    let policy = block(
        &block(&resource("ServerRole"), "PolicyDocument:"),
        "Statement:",
    );
    let mut deletes = 0;
    for statement in children(&policy) {
        let allows = !statement.contains("Effect: Deny");
        let deletes_objects = statement.contains("s3:Delete") || statement.contains("s3:*");
        if !(allows && deletes_objects) {
            continue;
        }
        deletes += 1;
        assert!(!statement.contains("manifest.json") && !statement.contains("patient.json"));
        let resources = block(&statement, "Resource:");
        let arns: Vec<&str> = resources.lines().filter(|l| l.contains("Arn")).collect();
        assert!(!arns.is_empty(), "{statement}");
        for arn in arns {
            // Exports (a browser's ZIP, a FHIR bulk export's files) are copies the server made
            // and the lifecycle expires; a cancelled export removes its own.
            let export = arn.trim_end().ends_with("/exports/*\"");
            assert!(
                export
                    || ["originals", "optimized", "thumb", "text", "manifest-parts"]
                        .iter()
                        .any(|p| arn.trim_end().ends_with(&format!("/patients/*/{p}/*\""))),
                "the server role may delete more than documents and exports: {arn}"
            );
        }
    }
    assert_eq!(
        deletes, 3,
        "three statements grant DeleteObject: documents, exports, replaced manifest parts"
    );
}

#[test]
fn the_server_serves_the_ui_folder_alone_not_all_of_opt() {
    let variables = block(&resource("ServerFunction"), "Variables:");
    let root = value(&variables, "CHARTDESK_WEB_ROOT:");
    let choices: Vec<&str> = root
        .trim_start_matches("!If [")
        .trim_end_matches(']')
        .split(", ")
        .collect();
    assert_eq!(choices.get(1), Some(&"/opt/chartdesk-ui"), "{root}");
}

#[test]
fn the_session_routes_have_throttles_of_their_own() {
    let events = block(&resource("ServerFunction"), "Events:");
    let route = |path: &str| -> String {
        children(&events)
            .into_iter()
            .find(|e| value(e, "Path:") == path && value(e, "Method:") == "POST")
            .unwrap_or_else(|| panic!("no route of its own for POST {path}"))
    };
    let throttles = |event: &str| {
        let settings = block(event, "RouteSettings:");
        (
            value(&settings, "ThrottlingRateLimit:"),
            value(&settings, "ThrottlingBurstLimit:"),
        )
    };
    let sign_in = (
        "!Ref SignInRateLimit".into(),
        "!Ref SignInBurstLimit".into(),
    );
    // Password and code guesses share the small sign-in budget...
    assert_eq!(throttles(&route("/v1/session")), sign_in);
    assert_eq!(throttles(&route("/v1/session/{proxy+}")), sign_in);
    // ...but every signed-in browser refreshes, and signing out must never be held up by a
    // spray: these follow the signed-in API's budget, on routes of their own.
    let signed_in = ("!Ref ApiRateLimit".into(), "!Ref ApiBurstLimit".into());
    assert_eq!(throttles(&route("/v1/session/refresh")), signed_in);
    assert_eq!(throttles(&route("/v1/session/sign-out")), signed_in);
}

#[test]
fn only_document_changes_in_the_audit_bucket_reach_the_processing_queue() {
    let rule = resource("DocumentChangedRule");
    assert!(rule.contains("name: [!Ref AuditBucket]"), "{rule}");
    // The prefix the records crate writes change copies under: reads are never copied there.
    let prefix = chartdesk_records::audit::CHANGES_PREFIX;
    assert!(
        rule.contains(&format!("key: [{{ prefix: \"{prefix}\" }}]")),
        "{rule}"
    );
    let bucket = resource("AuditBucket");
    assert!(bucket.contains("EventBridgeEnabled: true"), "{bucket}");
    let policy = resource("ProcessQueuePolicy");
    assert!(
        policy.matches("DocumentChangedRule.Arn").count() == 2,
        "{policy}"
    );
}

#[test]
fn the_worker_reads_only_change_copies_of_the_audit_trail_and_never_rewrites_an_outcome() {
    let role = resource("WorkerRole");
    let statements = children(&block(&block(&role, "PolicyDocument:"), "Statement:"));
    let audit_reads: Vec<&String> = statements
        .iter()
        .filter(|s| s.contains("s3:GetObject") && s.contains("${AuditBucket.Arn}"))
        .collect();
    assert_eq!(audit_reads.len(), 1, "{audit_reads:?}");
    assert!(audit_reads[0].contains("${AuditBucket.Arn}/audit/changes/*"));
    let outcome = block(&role, "- Sid: ExportOutcomeCreateOnly");
    assert!(outcome.contains("s3:if-none-match: \"*\""), "{outcome}");
    let subscriptions = block(&role, "- Sid: SubscriptionsMarkError");
    assert!(
        subscriptions.contains("s3:if-match: \"false\""),
        "{subscriptions}"
    );
}

#[test]
fn a_long_manifests_parts_are_create_only_for_the_worker_and_for_everyone() {
    let worker = block(&resource("WorkerRole"), "- Sid: CreateManifestParts");
    assert!(worker.contains("patients/*/manifest-parts/*"), "{worker}");
    assert!(worker.contains("s3:if-none-match: \"*\""), "{worker}");
    let removes = block(&resource("WorkerRole"), "- Sid: ReplacedManifestParts");
    assert!(removes.contains("patients/*/manifest-parts/*"), "{removes}");
    let bucket = block(
        &resource("RecordsBucketPolicy"),
        "- Sid: DenyDocumentOverwrite",
    );
    assert!(bucket.contains("patients/*/manifest-parts/*"), "{bucket}");
}
