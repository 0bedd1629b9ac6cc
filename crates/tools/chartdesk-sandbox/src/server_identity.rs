//! The records server's own identity on the local cloud: an IAM user with the policy of the
//! server's role in `infra/template.yaml` (the Sids and actions are kept in step by a test), so
//! the sandbox server runs with least privilege and moto's IAM enforcement can prove what that
//! policy refuses (ARCHITECTURE.md §7: moto evaluates Action and Resource, not conditions).
//!
//! moto's IAM is reached with its Query API over plain HTTP: the local cloud checks no
//! signatures, so the request names a made-up key in an unsigned SigV4 header.

use serde_json::{json, Value};

/// The IAM user the sandbox server signs with.
pub const SERVER_USER: &str = "chartdesk-server";

#[derive(Clone)]
pub struct ServerKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKeys(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("the local cloud's IAM could not be reached")]
    Unreachable,
    #[error("the local cloud's IAM refused {0}")]
    Refused(&'static str),
}

/// The server role's policy (see the template's `ServerRole`), for one records bucket and one
/// audit bucket (which may be the same bucket: audit rights then stay under `audit/`).
pub fn server_policy(records: &str, audit: &str) -> Value {
    let r = format!("arn:aws:s3:::{records}");
    let a = format!("arn:aws:s3:::{audit}");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Sid": "RecordsReadWrite", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
              "Resource": [format!("{r}/patients/*"), format!("{r}/lookup/*")] },
            { "Sid": "ExportsCreateOnly", "Effect": "Allow", "Action": "s3:PutObject",
              "Resource": format!("{r}/exports/*"),
              "Condition": { "StringEquals": { "s3:if-none-match": "*" } } },
            { "Sid": "ExportsRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{r}/exports/*") },
            { "Sid": "ExportsCancel", "Effect": "Allow", "Action": "s3:DeleteObject", "Resource": format!("{r}/exports/*") },
            { "Sid": "FhirGroupsCreateOnly", "Effect": "Allow", "Action": "s3:PutObject",
              "Resource": format!("{r}/fhir/groups/*"),
              "Condition": { "StringEquals": { "s3:if-none-match": "*" } } },
            { "Sid": "FhirGroupsRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{r}/fhir/groups/*") },
            { "Sid": "FhirSubscriptions", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
              "Resource": format!("{r}/fhir/subscriptions/*") },
            { "Sid": "RecordsPatientObjects", "Effect": "Allow",
              "Action": ["s3:GetObjectTagging", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
              "Resource": format!("{r}/patients/*") },
            { "Sid": "RecordsDocumentDelete", "Effect": "Allow", "Action": "s3:DeleteObject",
              "Resource": [format!("{r}/patients/*/originals/*"), format!("{r}/patients/*/optimized/*"),
                           format!("{r}/patients/*/thumb/*"), format!("{r}/patients/*/text/*")] },
            { "Sid": "ReplacedManifestParts", "Effect": "Allow", "Action": "s3:DeleteObject",
              "Resource": format!("{r}/patients/*/manifest-parts/*") },
            { "Sid": "RecordsList", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:ListBucketMultipartUploads"], "Resource": r },
            { "Sid": "AuditCreateOnly", "Effect": "Allow", "Action": "s3:PutObject",
              "Resource": format!("{a}/audit/*"),
              "Condition": { "StringEquals": { "s3:if-none-match": "*" } } },
            { "Sid": "AuditRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{a}/audit/*") },
            { "Sid": "AuditList", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": a,
              "Condition": { "StringLike": { "s3:prefix": ["audit/*"] } } },
            { "Sid": "PoolPasswordRules", "Effect": "Allow", "Action": "cognito-idp:DescribeUserPool",
              "Resource": "arn:aws:cognito-idp:*:*:userpool/*" },
            { "Sid": "PoolCurrentGroups", "Effect": "Allow", "Action": "cognito-idp:AdminListGroupsForUser",
              "Resource": "arn:aws:cognito-idp:*:*:userpool/*" },
            { "Sid": "AuditNeverTampered", "Effect": "Deny",
              "Action": ["s3:DeleteObject*", "s3:PutObjectRetention", "s3:BypassGovernanceRetention", "s3:PutObjectLegalHold"],
              "Resource": [format!("{a}/audit/*")] }
        ]
    })
}

async fn iam(
    http: &reqwest::Client,
    endpoint: &str,
    what: &'static str,
    params: &[(&str, &str)],
) -> Result<String, IdentityError> {
    let mut form: Vec<(&str, &str)> = vec![("Action", what), ("Version", "2010-05-08")];
    form.extend_from_slice(params);
    let enc = |v: &str| {
        percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let answer = http
        .post(endpoint)
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLESANDBOX/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|_| IdentityError::Unreachable)?;
    let ok = answer.status().is_success();
    let body = answer
        .text()
        .await
        .map_err(|_| IdentityError::Unreachable)?;
    // Already there, or already gone (another provisioning run removed the same old key).
    if ok || body.contains("EntityAlreadyExists") || body.contains("NoSuchEntity") {
        Ok(body)
    } else {
        Err(IdentityError::Refused(what))
    }
}

/// The text of the first `<name>` element (IAM answers are small and flat).
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// Creates (or updates) the server's IAM user and its policy and gives it a fresh access key,
/// removing older ones. Idempotent apart from the key.
pub async fn ensure_server_user(
    endpoint: &str,
    records: &str,
    audit: &str,
) -> Result<ServerKeys, IdentityError> {
    let http = reqwest::Client::new();
    let endpoint = format!("{}/", endpoint.trim_end_matches('/'));
    let user = [("UserName", SERVER_USER)];
    iam(&http, &endpoint, "CreateUser", &user).await?;
    let policy = server_policy(records, audit).to_string();
    let put = [
        ("UserName", SERVER_USER),
        ("PolicyName", "records-and-audit"),
        ("PolicyDocument", policy.as_str()),
    ];
    iam(&http, &endpoint, "PutUserPolicy", &put).await?;
    let listed = iam(&http, &endpoint, "ListAccessKeys", &user).await?;
    let mut rest = listed.as_str();
    while let Some(id) = element(rest, "AccessKeyId") {
        let remove = [("UserName", SERVER_USER), ("AccessKeyId", id)];
        iam(&http, &endpoint, "DeleteAccessKey", &remove).await?;
        let at = rest.find(id).unwrap_or(0) + id.len();
        rest = &rest[at..];
    }
    let created = match iam(&http, &endpoint, "CreateAccessKey", &user).await {
        Ok(created) => created,
        // Two keys at most per user: a concurrent run made one meanwhile; make room once more.
        Err(IdentityError::Refused(_)) => {
            let listed = iam(&http, &endpoint, "ListAccessKeys", &user).await?;
            if let Some(id) = element(&listed, "AccessKeyId") {
                let remove = [("UserName", SERVER_USER), ("AccessKeyId", id)];
                iam(&http, &endpoint, "DeleteAccessKey", &remove).await?;
            }
            iam(&http, &endpoint, "CreateAccessKey", &user).await?
        }
        Err(e) => return Err(e),
    };
    match (
        element(&created, "AccessKeyId"),
        element(&created, "SecretAccessKey"),
    ) {
        (Some(id), Some(secret)) => Ok(ServerKeys {
            access_key_id: id.to_string(),
            secret_access_key: secret.to_string(),
        }),
        _ => Err(IdentityError::Refused("CreateAccessKey")),
    }
}

#[cfg(test)]
#[path = "template_intents_tests.rs"]
mod template_intents_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// The template is the source for a real account; this copy must not drift from it.
    #[test]
    fn the_sandbox_policy_matches_the_templates_server_role() {
        let template = include_str!("../../../../infra/template.yaml");
        let policy = server_policy("records", "audit");
        let listed = |v: &Value| -> Vec<String> {
            match v {
                Value::String(a) => vec![a.clone()],
                Value::Array(list) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                _ => vec![],
            }
        };
        for statement in policy["Statement"].as_array().unwrap() {
            let sid = statement["Sid"].as_str().unwrap();
            // The template's statement: from its Sid to the next one.
            let block = template
                .split(&format!("Sid: {sid}\n"))
                .nth(1)
                .and_then(|rest| rest.split("- Sid:").next())
                .unwrap_or_else(|| panic!("template lacks {sid}"));
            for action in listed(&statement["Action"]) {
                assert!(block.contains(&action), "template's {sid} lacks {action}");
            }
            // The part of each resource after the bucket (`/exports/*` etc.) is in the template's
            // statement, or within a whole bucket it names (the sandbox's one bucket keeps
            // audit rights under `audit/`).
            let whole_bucket = block.contains(".Arn}/*\"");
            for resource in listed(&statement["Resource"]) {
                let path = resource
                    .trim_start_matches("arn:aws:s3:::")
                    .trim_start_matches("records")
                    .trim_start_matches("audit");
                if path.starts_with('/') {
                    assert!(
                        block.contains(path) || whole_bucket,
                        "template's {sid} lacks {path}"
                    );
                }
            }
        }
    }

    #[test]
    fn keys_never_show_in_debug_output() {
        let keys = ServerKeys {
            access_key_id: "AKIA123".into(),
            secret_access_key: "secret".into(),
        };
        assert_eq!(format!("{keys:?}"), "ServerKeys(<redacted>)");
    }
}
