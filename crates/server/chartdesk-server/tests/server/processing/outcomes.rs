//! What the worker makes of each kind of upload.

use chartdesk_domain::{keys, DuplicateKind, Mrn, ProcessingState, ScanStatus};
use image::GenericImageView;

use super::files::{pdf, pdf_carrying_eicar, photo, tiff, Files, Page};
use super::{list, processed, upload};
use crate::harness::{api, token};

#[tokio::test]
async fn an_image_uploaded_without_variants_gets_previews_made_from_its_original_and_a_clean_verdict(
) {
    super::fresh_patient("30000001").await;
    let original = photo(2400, 1600, 1);
    let id = upload(
        "30000001",
        "radiology",
        "chest.jpg",
        "image/jpeg",
        &original,
    )
    .await;
    let entry = processed("30000001", id).await;
    let p = entry.processing.as_ref().unwrap();
    assert_eq!(
        (p.state, entry.scan_status),
        (ProcessingState::Done, ScanStatus::Clean)
    );
    assert_eq!((p.pages, p.preview_pages), (Some(1), 1));
    assert!(p.perceptual_hash.is_some());

    // The preview is the original at 1600 px: decoded and compared pixel by pixel.
    let mrn = Mrn::from_stored("30000001").unwrap();
    let store = chartdesk_testkit::cloud().admin_store().await;
    let key = keys::optimized(&mrn, entry.category, id);
    let (bytes, _) = store.get_bytes(&key).await.unwrap().unwrap();
    let preview = image::load_from_memory(&bytes).unwrap();
    let (width, height) = preview.dimensions();
    assert_eq!(width, 1600);
    assert!((1066..=1067).contains(&height), "{height}");
    let expected = image::load_from_memory(&original)
        .unwrap()
        .resize_exact(width, height, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let got = preview.to_rgb8();
    let difference: u64 = got
        .as_raw()
        .iter()
        .zip(expected.as_raw())
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    let mean = difference as f64 / got.as_raw().len() as f64;
    assert!(
        mean < 6.0,
        "the preview differs from the original by {mean} per channel"
    );
    assert!(entry
        .variants
        .contains(&keys::thumb(&mrn, entry.category, id)));

    let rows = list(&api(), "30000001", "category=radiology").await;
    let row = rows.iter().find(|r| r["id"] == id.to_string()).unwrap();
    assert_eq!(
        (row["can_open"].as_bool(), row["has_thumbnail"].as_bool()),
        (Some(true), Some(true))
    );
    assert!(row.get("status_note").is_none(), "{row}");
}

#[tokio::test]
async fn a_pdf_carrying_the_eicar_string_is_infected_and_refused_while_a_clean_one_opens() {
    super::fresh_patient("30000002").await;
    let bad = upload(
        "30000002",
        "discharge",
        "letter.pdf",
        "application/pdf",
        &pdf_carrying_eicar(),
    )
    .await;
    let clean_pdf = pdf(&[Page::Typed(&["Discharge letter", "All well"])]);
    let good = upload(
        "30000002",
        "discharge",
        "letter-2.pdf",
        "application/pdf",
        &clean_pdf,
    )
    .await;
    let entry = processed("30000002", bad).await;
    assert_eq!(entry.scan_status, ScanStatus::Infected);
    assert!(
        entry.variants.is_empty(),
        "nothing is made from an infected file"
    );
    assert_eq!(
        processed("30000002", good).await.scan_status,
        ScanStatus::Clean
    );

    let api = api();
    let t = token("dr.okafor").await;
    let (status, body) = api
        .get(&t, &format!("/v1/patients/30000002/documents/{bad}"))
        .await;
    assert_eq!(body["code"], "infected", "{status} {body}");
    let (status, body) = api
        .post(
            &t,
            "/v1/patients/30000002/export",
            &serde_json::json!({ "doc_ids": [bad] }),
        )
        .await;
    assert_eq!(body["code"], "infected", "{status} {body}");
    let (status, _) = api
        .get(&t, &format!("/v1/patients/30000002/documents/{good}"))
        .await;
    assert_eq!(status, 200);

    let rows = list(&api, "30000002", "category=discharge").await;
    let row = rows.iter().find(|r| r["id"] == bad.to_string()).unwrap();
    assert_eq!(row["can_open"], false);
    assert!(row["status_note"].as_str().unwrap().starts_with("Blocked"));
    // Records admins read it in the audit, as the system's action.
    let events = chartdesk_testkit::cloud().audit_events().await;
    assert!(events
        .iter()
        .any(|e| e["action"] == "virus_found" && e["doc_id"] == bad.to_string()));
}

#[tokio::test]
async fn a_file_whose_bytes_are_not_its_declared_type_is_failed_by_the_worker_and_never_served() {
    // Only a client that skips its own check sends this: `complete` reads no byte back, so it
    // is attached as waiting, and the worker's check of the stored bytes decides.
    super::fresh_patient("30000010").await;
    let exe = b"MZ\x90\x00 not really a pdf, padded to look like one".repeat(4);
    let id = upload("30000010", "lab", "report.pdf", "application/pdf", &exe).await;
    let entry = processed("30000010", id).await;
    let p = entry.processing.as_ref().unwrap();
    assert_eq!(
        (p.state, entry.scan_status),
        (ProcessingState::Failed, ScanStatus::Clean)
    );
    assert!(entry.variants.is_empty(), "nothing is made from it");

    let api = api();
    let t = token("dr.okafor").await;
    let (status, body) = api
        .get(&t, &format!("/v1/patients/30000010/documents/{id}"))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "integrity");
    let rows = list(&api, "30000010", "category=lab").await;
    let row = rows.iter().find(|r| r["id"] == id.to_string()).unwrap();
    assert_eq!(row["can_open"], false);
    assert_eq!(
        row["status_note"],
        "Processing failed: its content is not the PDF it was sent as"
    );
}

#[tokio::test]
async fn a_three_page_tiff_gives_three_previews_and_its_typed_words_are_found_on_their_page() {
    super::fresh_patient("30000003").await;
    let files = Files::new();
    let blank = files.picture_of(&["Ward round notes"]);
    let words = files.picture_of(&["Haemoglobin sample", "Zephyrine protocol"]);
    let other = files.picture_of(&["Signed by the registrar"]);
    let scan = tiff(&[&blank, &words, &other]);
    let id = upload("30000003", "ot_notes", "scan.tif", "image/tiff", &scan).await;
    let entry = processed("30000003", id).await;
    let p = entry.processing.as_ref().unwrap();
    assert_eq!(
        (p.state, p.pages, p.preview_pages),
        (ProcessingState::Done, Some(3), 3)
    );
    assert!(p.has_text);
    let mrn = Mrn::from_stored("30000003").unwrap();
    for page in 1..=3 {
        assert!(entry
            .variants
            .contains(&keys::page_optimized(&mrn, entry.category, id, page)));
    }

    let rows = list(&api(), "30000003", "search=zephyrine").await;
    let row = rows
        .iter()
        .find(|r| r["id"] == id.to_string())
        .expect("found by an OCR'd word");
    assert_eq!(row["found_in"], "Found on page 2");
    assert_eq!(row["pages"], 3);
    assert!(list(&api(), "30000003", "search=xylophonist")
        .await
        .is_empty());

    // The open answer hands out the text as clients read it (the desktop keeps it offline).
    let api = api();
    let t = token("dr.okafor").await;
    let (status, access) = api
        .get(&t, &format!("/v1/patients/30000003/documents/{id}"))
        .await;
    assert_eq!(status, 200, "{access}");
    let url = access["text_url"].as_str().expect("a text URL");
    let body = api
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text: chartdesk_api::StoredText = serde_json::from_slice(&body).unwrap();
    let page_2 = text.pages.iter().find(|p| p.page == 2).unwrap();
    assert!(
        page_2.text.to_lowercase().contains("zephyrine"),
        "{:?}",
        page_2.text
    );
}

#[tokio::test]
async fn the_same_bytes_uploaded_twice_are_flagged_as_duplicates_and_both_stay() {
    super::fresh_patient("30000004").await;
    let bytes = pdf(&[Page::Typed(&["Potassium 4.1 mmol/L"])]);
    let first = upload(
        "30000004",
        "lab",
        "potassium.pdf",
        "application/pdf",
        &bytes,
    )
    .await;
    processed("30000004", first).await;
    let second = upload(
        "30000004",
        "lab",
        "potassium-again.pdf",
        "application/pdf",
        &bytes,
    )
    .await;
    let entry = processed("30000004", second).await;
    let duplicate = entry.processing.unwrap().duplicate.expect("flagged");
    assert_eq!(
        (duplicate.kind, duplicate.of),
        (DuplicateKind::SameFile, first)
    );

    let rows = list(&api(), "30000004", "category=lab").await;
    let note = rows.iter().find(|r| r["id"] == second.to_string()).unwrap()["duplicate_note"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        note.starts_with("Same file as potassium.pdf, added "),
        "{note}"
    );
    assert!(
        rows.iter().any(|r| r["id"] == first.to_string()),
        "both stay"
    );
}
