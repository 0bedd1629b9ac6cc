//! What the browser version needs beside sign-in: the UI with a strict CSP, API answers never
//! cached, other origins refused, the export as one ZIP the server writes to the bucket, and
//! the access history in the panel's words.

use std::io::Read;

use serde_json::json;

use crate::harness::{answer, api, cloud, start_server, token, web_server, ALLOWED_ORIGIN};

#[tokio::test]
async fn the_ui_is_served_with_a_strict_content_security_policy() {
    let r = reqwest::get(format!("{}/", web_server())).await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    // Frames from this bucket alone: the hidden frame an export ZIP downloads through.
    let frames = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-src "))
        .unwrap();
    assert_eq!(
        frames,
        format!(
            "{}/{}/",
            cloud().endpoint,
            chartdesk_sandbox::SANDBOX_BUCKET
        ),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.text().await.unwrap().contains("<title>Chartdesk</title>"));
    // A path the UI routes itself still gets the page.
    let deep = reqwest::get(format!("{}/patients/x", web_server()))
        .await
        .unwrap();
    assert_eq!(deep.status(), 200);
}

#[tokio::test]
async fn every_api_answer_says_no_store_and_no_hsts_on_plain_http() {
    for path in [
        "/v1/health",
        "/v1/patients?q=9434765919",
        "/v1/client-config",
    ] {
        let r = reqwest::get(format!("{}{path}", web_server()))
            .await
            .unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        assert!(r.headers().get("strict-transport-security").is_none());
    }
    let behind_tls = reqwest::Client::new()
        .get(format!("{}/v1/health", web_server()))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(behind_tls.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

#[tokio::test]
async fn a_request_from_another_origin_is_refused_and_an_allowed_one_is_let_through() {
    let http = reqwest::Client::new();
    let url = format!("{}/v1/patients?q=9434765919", web_server());
    let t = token("dr.okafor").await;
    let evil = http
        .get(&url)
        .bearer_auth(&t)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    let allowed = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", ALLOWED_ORIGIN)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
    let same_origin = http
        .get(&url)
        .bearer_auth(&t)
        .header("origin", web_server())
        .send()
        .await
        .unwrap();
    assert_eq!(
        same_origin.status(),
        200,
        "the server's own pages may call it"
    );
}

#[tokio::test]
async fn the_export_zip_is_written_to_the_bucket_and_its_link_carries_no_mrn_only_its_download_name_does(
) {
    let t = token("dr.okafor").await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!(
            "{}/v1/patients/10000001/export/archive",
            web_server()
        ))
        .bearer_auth(&t)
        .json(&json!({"categories": ["lab", "preop"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let archive: chartdesk_api::ExportArchive = r.json().await.unwrap();
    assert_eq!(archive.file_name, "chartdesk-export-10000001.zip");
    // A presigned GET of a random key under exports/: nothing of the patient in the link (it
    // reaches access logs and the browser's download list); the name is in the object.
    assert!(!archive.url.contains("10000001"), "{}", archive.url);
    let url = reqwest::Url::parse(&archive.url).unwrap();
    let key = url.path().rsplit_once("/exports/").map(|(_, k)| k).unwrap();
    assert!(key.ends_with(".zip"), "{key}");
    assert!(url.query().unwrap_or_default().contains("X-Amz-Signature"));
    // The ZIP comes from the bucket, without the server's token.
    let download = http.get(&archive.url).send().await.unwrap();
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment") && disposition.contains(&archive.file_name));
    let bytes = download.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, archive.bytes);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let files = archive.files;
    assert!(files > 0);
    assert_eq!(zip.len(), files + 1, "every document and manifest.csv");
    let mut csv = String::new();
    zip.by_name("manifest.csv")
        .unwrap()
        .read_to_string(&mut csv)
        .unwrap();
    assert_eq!(
        csv.lines().count(),
        files + 1,
        "a header and a row per document"
    );
    assert!(csv
        .lines()
        .skip(1)
        .all(|l| l.starts_with("lab/") || l.starts_with("preop/")));
}

#[tokio::test]
async fn an_export_zip_over_the_limit_is_refused_with_the_sizes_before_anything_is_audited() {
    let (_server, url) = start_server(&[("CHARTDESK_MAX_EXPORT_MIB", "1")]);
    let exports = || async {
        let admin = token("admin.byrne").await;
        let (_, history) = api().get(&admin, "/v1/patients/10000009/audit").await;
        history["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "export")
            .count()
    };
    let before = exports().await;
    // Eleanor Ashworth's radiology scan is a 3.6 MiB TIFF.
    let r = reqwest::Client::new()
        .post(format!("{url}/v1/patients/10000009/export/archive"))
        .bearer_auth(token("dr.okafor").await)
        .json(&json!({"categories": ["radiology"]}))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(r).await;
    assert_eq!(status, 400, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("more than the 1 MiB") && message.contains("desktop app"),
        "{message}"
    );
    assert_eq!(exports().await, before, "nothing exported, nothing audited");
}

#[tokio::test]
async fn ward_staff_may_not_export_a_zip() {
    let t = token("nurse.hughes").await;
    let r = reqwest::Client::new()
        .post(format!(
            "{}/v1/patients/10000001/export/archive",
            web_server()
        ))
        .bearer_auth(&t)
        .json(&json!({"categories": ["lab"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn the_access_history_comes_in_the_panels_words() {
    let admin = token("admin.byrne").await;
    let http = reqwest::Client::new();
    let found = http
        .get(format!("{}/v1/patients?q=9434765919", web_server()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 200);
    let history: serde_json::Value = http
        .get(format!("{}/v1/patients/10000001/audit", web_server()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = history["rows"].as_array().unwrap();
    assert_eq!(rows.len(), history["events"].as_array().unwrap().len());
    assert!(rows.iter().any(|r| r["actor"] == "admin.byrne"));
    for row in rows {
        let shown = row["shown_at"].as_str().unwrap();
        // UK time, saying which: `30-Nov-2026 09:15 GMT` or `30-Jun-2026 10:15 BST`.
        let zoned = shown.ends_with(" GMT") || shown.ends_with(" BST");
        assert!(
            shown.len() == 21 && shown.as_bytes()[2] == b'-' && zoned,
            "{shown}"
        );
    }
}
