//! An image opens from its 1600 px JPEG (issue 10 item 6): quick, and drawn by every web view,
//! TIFF scans included; the original stays one request away. Both are audited views.
//! In-process, over the demo records (their renditions made by the sandbox's seeding).

use sha2::{Digest, Sha256};

use crate::harness::token;
use crate::in_process::Local;

/// Width of a baseline or progressive JPEG, from its start-of-frame marker.
fn jpeg_width(bytes: &[u8]) -> Option<u16> {
    let mut i = 2;
    while i + 9 < bytes.len() {
        let (marker, len) = (
            bytes[i + 1],
            u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]),
        );
        if (0xC0..=0xC2).contains(&marker) {
            return Some(u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]));
        }
        i += 2 + usize::from(len);
    }
    None
}

#[tokio::test]
async fn a_tiff_scan_opens_as_its_optimized_jpeg_and_its_original_on_request() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (status, list) = api
        .get(&t, "/v1/patients/10000009/documents?category=radiology")
        .await;
    assert_eq!(status, 200, "{list}");
    let row = &list["rows"][0];
    assert_eq!(row["content_type"], "image/tiff");
    assert_eq!(row["has_optimized"], true);
    let id = row["id"].as_str().unwrap();

    let path = format!("/v1/patients/10000009/documents/{id}");
    let (status, optimized) = api.get(&t, &format!("{path}?view=optimized")).await;
    assert_eq!(status, 200, "{optimized}");
    assert_eq!(optimized["view"], "optimized");
    assert_eq!(optimized["content_type"], "image/jpeg");
    let jpeg = api.store.fetch(optimized["url"].as_str().unwrap()).unwrap();
    assert_eq!(jpeg.len() as u64, optimized["size"].as_u64().unwrap());
    assert_eq!(hex::encode(Sha256::digest(&jpeg)), optimized["sha256"]);
    assert_eq!(jpeg_width(&jpeg), Some(1600), "the 1600 px rendition");

    let (status, original) = api.get(&t, &path).await;
    assert_eq!(status, 200, "{original}");
    assert_eq!(original["view"], "original");
    assert_eq!(original["content_type"], "image/tiff");
    let tiff = api.store.fetch(original["url"].as_str().unwrap()).unwrap();
    assert_eq!(&tiff[..4], b"II*\0");
    assert_eq!(hex::encode(Sha256::digest(&tiff)), original["sha256"]);
    assert!(
        jpeg.len() * 4 < tiff.len(),
        "the rendition is the quick one to fetch"
    );

    let admin = token("admin.byrne").await;
    let (_, history) = api.get(&admin, "/v1/patients/10000009/audit").await;
    let views = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["doc_id"] == id && e["action"] == "view")
        .count();
    assert!(
        views >= 2,
        "both renditions were audited as views: {history}"
    );
}

#[tokio::test]
async fn a_pdf_has_no_optimized_view_and_says_so() {
    let api = Local::demo().await;
    let t = token("dr.okafor").await;
    let (_, list) = api
        .get(&t, "/v1/patients/10000009/documents?category=discharge")
        .await;
    let row = &list["rows"][0];
    assert_eq!(row["has_optimized"], false);
    let path = format!(
        "/v1/patients/10000009/documents/{}?view=optimized",
        row["id"].as_str().unwrap()
    );
    let (status, body) = api.get(&t, &path).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("no optimized image"));
    let (status, _) = api.get(&t, &path.replace("optimized", "thumbnail")).await;
    assert_eq!(status, 400, "an unknown view is refused");
}
