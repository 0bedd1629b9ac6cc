//! What a queue message says, in the shapes it comes in: S3 event notification records (moto,
//! and S3 → SQS directly), EventBridge's "Object Created" (S3 → EventBridge → SQS in AWS) and
//! GuardDuty Malware Protection's "Object Scan Result".

use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::Verdict;
use chartdesk_records::audit::is_change_key;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An object was written: an original, if its key says so.
    Landed { key: String },
    /// GuardDuty's verdict on an object.
    Scanned { key: String, verdict: Verdict },
}

/// The notices in one message body; empty for anything else (S3's test event, other buckets'
/// shapes): those are acknowledged and dropped. `bucket` is the records bucket: events for any
/// other bucket are ignored, but for an audit event's change copy (`audit/changes/`), which may
/// come from the audit bucket (in AWS its own): that key is only read from the worker's own audit
/// store.
pub fn notices(body: &str, bucket: &str) -> Vec<Notice> {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    if let Some(records) = value.get("Records").and_then(Value::as_array) {
        return records
            .iter()
            .filter(|r| {
                r.get("eventName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.starts_with("ObjectCreated"))
                    && (r.pointer("/s3/bucket/name").and_then(Value::as_str) == Some(bucket)
                        || r.pointer("/s3/object/key")
                            .and_then(Value::as_str)
                            .is_some_and(is_change_key))
            })
            .filter_map(|r| r.pointer("/s3/object/key").and_then(Value::as_str))
            .map(|key| Notice::Landed {
                key: s3_event_key(key),
            })
            .collect();
    }
    let detail_type = value.get("detail-type").and_then(Value::as_str);
    match detail_type {
        Some("Object Created")
            if value.pointer("/detail/bucket/name").and_then(Value::as_str) == Some(bucket)
                || value
                    .pointer("/detail/object/key")
                    .and_then(Value::as_str)
                    .is_some_and(is_change_key) =>
        {
            value
                .pointer("/detail/object/key")
                .and_then(Value::as_str)
                .map(|key| {
                    vec![Notice::Landed {
                        key: s3_event_key(key),
                    }]
                })
                .unwrap_or_default()
        }
        Some("GuardDuty Malware Protection Object Scan Result")
            if value
                .pointer("/detail/s3ObjectDetails/bucketName")
                .and_then(Value::as_str)
                == Some(bucket) =>
        {
            let key = value
                .pointer("/detail/s3ObjectDetails/objectKey")
                .and_then(Value::as_str);
            let status = value
                .pointer("/detail/scanResultDetails/scanResultStatus")
                .and_then(Value::as_str);
            match (key, status) {
                (Some(key), Some(status)) => vec![Notice::Scanned {
                    key: key.to_string(),
                    verdict: Verdict::from_guardduty(status),
                }],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// A notice that `key` landed, as S3 itself would send it: for documents whose own notice was
/// never sent (filed before the worker existed) or was lost.
pub fn landed_message(bucket: &str, key: &str) -> String {
    serde_json::json!({"Records": [{
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": key}},
    }]})
    .to_string()
}

/// S3 event keys are URL-encoded, spaces as `+`. Ours never hold either, but decode as S3 says.
fn s3_event_key(key: &str) -> String {
    let spaced = key.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "patients/10000001/originals/docs/lab/0190a0c4-0000-7000-8000-000000000001.pdf";

    #[test]
    fn a_notice_sent_for_an_old_document_reads_as_s3_s_own() {
        assert_eq!(
            notices(&landed_message("records", KEY), "records"),
            vec![Notice::Landed { key: KEY.into() }]
        );
    }

    #[test]
    fn an_s3_notification_record_names_the_object_created() {
        let body = format!(
            r#"{{"Records":[{{"eventName":"ObjectCreated:Put","s3":{{"bucket":{{"name":"records"}},"object":{{"key":"{KEY}","size":5}}}}}}]}}"#
        );
        assert_eq!(
            notices(&body, "records"),
            vec![Notice::Landed { key: KEY.into() }]
        );
        assert!(notices(&body, "another-bucket").is_empty());
    }

    #[test]
    fn an_eventbridge_object_created_event_names_the_object() {
        let body = format!(
            r#"{{"detail-type":"Object Created","source":"aws.s3","detail":{{"bucket":{{"name":"records"}},"object":{{"key":"{KEY}"}}}}}}"#
        );
        assert_eq!(
            notices(&body, "records"),
            vec![Notice::Landed { key: KEY.into() }]
        );
    }

    #[test]
    fn a_guardduty_result_carries_its_verdict() {
        let body = format!(
            r#"{{"detail-type":"GuardDuty Malware Protection Object Scan Result","detail":{{"s3ObjectDetails":{{"bucketName":"records","objectKey":"{KEY}"}},"scanResultDetails":{{"scanResultStatus":"THREATS_FOUND"}}}}}}"#
        );
        assert_eq!(
            notices(&body, "records"),
            vec![Notice::Scanned {
                key: KEY.into(),
                verdict: Verdict::Infected
            }]
        );
    }

    #[test]
    fn an_audit_event_from_the_audit_bucket_is_a_notice_too() {
        let key = "audit/changes/0190a0c4-0000-7000-8000-000000000001.json";
        let body = format!(
            r#"{{"detail-type":"Object Created","source":"aws.s3","detail":{{"bucket":{{"name":"audit"}},"object":{{"key":"{key}"}}}}}}"#
        );
        assert_eq!(
            notices(&body, "records"),
            vec![Notice::Landed { key: key.into() }]
        );
        let other = body.replace(key, KEY);
        assert!(notices(&other, "records").is_empty());
        // Reads are audited under their day too; only the change copy notifies.
        let read = body.replace(
            key,
            "audit/2026/12/06/0190a0c4-0000-7000-8000-000000000001.json",
        );
        assert!(notices(&read, "records").is_empty());
    }

    #[test]
    fn test_events_deletions_and_garbage_say_nothing() {
        assert!(notices(
            r#"{"Service":"Amazon S3","Event":"s3:TestEvent"}"#,
            "records"
        )
        .is_empty());
        assert!(notices("not json", "records").is_empty());
        let deleted = format!(
            r#"{{"Records":[{{"eventName":"ObjectRemoved:Delete","s3":{{"bucket":{{"name":"records"}},"object":{{"key":"{KEY}"}}}}}}]}}"#
        );
        assert!(notices(&deleted, "records").is_empty());
    }
}
