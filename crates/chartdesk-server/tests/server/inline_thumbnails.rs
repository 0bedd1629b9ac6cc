//! A list carries its first screen's thumbnails inside the answer (issue 13: a patient opens
//! in at most three requests), the same bytes its thumbnail URLs lead to.

use base64::Engine;

use crate::harness::{api, token};

#[tokio::test]
async fn a_list_carries_the_first_screens_thumbnails_as_its_urls_serve_them() {
    let api = api();
    let t = token("dr.okafor").await;
    let (status, list) = api
        .get(&t, "/v1/patients/10000004/documents?category=preop")
        .await;
    assert_eq!(status, 200, "{list}");
    let rows = list["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let url = row["thumbnail_url"]
            .as_str()
            .expect("an image has a thumbnail URL");
        let inline = row["thumbnail"]
            .as_str()
            .expect("the first screen comes inline");
        let inline = base64::engine::general_purpose::STANDARD
            .decode(inline)
            .unwrap();
        let fetched = reqwest::get(url).await.unwrap().bytes().await.unwrap();
        assert_eq!(inline, fetched.to_vec());
        assert_eq!(&inline[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    }
}

#[tokio::test]
async fn documents_without_a_thumbnail_carry_none_inline() {
    let api = api();
    let t = token("dr.okafor").await;
    let (status, list) = api
        .get(&t, "/v1/patients/10000004/documents?category=lab")
        .await;
    assert_eq!(status, 200, "{list}");
    for row in list["rows"].as_array().unwrap() {
        assert!(row["thumbnail_url"].is_null());
        assert!(row.get("thumbnail").is_none_or(|v| v.is_null()));
    }
}
