//! Adding scans: content-checked, checksummed, attached by compare-and-swap under the preop rule.

use std::sync::Arc;

use chartdesk::services::Upload;
use chartdesk::{Services, UiError};
use chartdesk_api::ApiErrorCode;
use chartdesk_sandbox::{demo_jpeg, demo_pdf};

use crate::local_cloud::{cloud, seed_patient};

fn upload<'a>(mrn: &'a str, category: &'a str, name: &'a str, bytes: Vec<u8>) -> Upload<'a> {
    Upload::new(mrn, category, name, bytes)
}

async fn ward() -> Services {
    cloud().signed_in("nurse.hughes").await
}

/// A patient of the test's own: patient.json must exist for uploads.
pub async fn patient(mrn: &str) {
    seed_patient(mrn, &[]).await;
    let key = format!("patients/{mrn}/patient.json");
    let json = format!(
        r#"{{"mrn":"{mrn}","nhs_number":"9990000018","given_name":"Test","family_name":"Patient","birth_date":"1970-01-01","postcode":"AB1 2CD"}}"#
    );
    crate::local_cloud::cloud()
        .admin_store()
        .await
        .put_bytes(
            &key,
            json.into_bytes(),
            "application/json",
            chartdesk_records::store::object_store::Write::Overwrite,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pdf_and_a_jpeg_are_added_with_their_sniffed_types_and_checksums() {
    let s = ward().await;
    patient("30000001").await;
    let pdf = demo_pdf("Lab", "x");
    let row = s
        .documents()
        .upload(upload(
            "30000001",
            "lab",
            "results (final).PDF",
            pdf.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(row.content_type, "application/pdf");
    assert_eq!(row.file_name, "results (final).PDF");
    cloud().processed("30000001", &row.id).await;
    let opened = s.documents().open("30000001", &row.id).await.unwrap();
    assert_eq!(opened.bytes, pdf, "the checksum matched on the way back");
    let jpeg = s
        .documents()
        .upload(upload("30000001", "radiology", "xray.bin", demo_jpeg(3)))
        .await
        .unwrap();
    assert_eq!(
        jpeg.content_type, "image/jpeg",
        "type from content, not name"
    );
    assert_eq!(
        s.patients().find("30000001").await.unwrap().tiles[2].count,
        1
    );
}

#[tokio::test]
async fn wrong_empty_and_unknown_targets_are_refused_with_reasons() {
    let s = ward().await;
    patient("30000002").await;
    let exe = UiError::from(
        s.documents()
            .upload(upload(
                "30000002",
                "lab",
                "report.pdf",
                b"MZ\x90\x00rest-of-exe".to_vec(),
            ))
            .await
            .unwrap_err(),
    );
    assert_eq!(exe.code, ApiErrorCode::InvalidInput);
    assert!(
        exe.message
            .starts_with("report.pdf: only PDF, JPEG, PNG and TIFF"),
        "{}",
        exe.message
    );
    let empty = UiError::from(
        s.documents()
            .upload(upload("30000002", "lab", "e.pdf", vec![]))
            .await
            .unwrap_err(),
    );
    assert_eq!(empty.message, "e.pdf: the file is empty");
    let nobody = UiError::from(
        s.documents()
            .upload(upload("39999999", "lab", "a.pdf", demo_pdf("a", "b")))
            .await
            .unwrap_err(),
    );
    assert_eq!(nobody.code, ApiErrorCode::NotFound);
    let clinician = cloud().signed_in("dr.okafor").await;
    let refused = clinician
        .documents()
        .upload(upload("30000002", "lab", "a.pdf", demo_pdf("a", "b")))
        .await;
    assert_eq!(
        UiError::from(refused.unwrap_err()).code,
        ApiErrorCode::Forbidden
    );
}

#[tokio::test]
async fn preop_takes_three_images_then_asks_and_replace_oldest_keeps_three() {
    let s = ward().await;
    patient("30000003").await;
    for i in 0..3 {
        s.documents()
            .upload(upload("30000003", "preop", "p.jpg", demo_jpeg(i)))
            .await
            .unwrap();
    }
    let full = UiError::from(
        s.documents()
            .upload(upload("30000003", "preop", "p4.jpg", demo_jpeg(9)))
            .await
            .unwrap_err(),
    );
    assert_eq!(full.code, ApiErrorCode::PreopFull);
    assert_eq!(
        full.message,
        "Preop already holds 3 images — replace the oldest?"
    );
    let mut again = upload("30000003", "preop", "p4.jpg", demo_jpeg(9));
    again.replace_oldest = true;
    s.documents().upload(again).await.unwrap();
    let rows = s.documents().list("30000003", "preop").await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0].file_name, "p4.jpg",
        "the new one is attached, newest first"
    );
}

/// Six ward staff add preop images to one patient at once: every upload lands or is told
/// preop is full; never more than 3 attached; no entry lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_uploads_never_exceed_the_preop_limit_or_lose_an_entry() {
    let s = ward().await;
    patient("30000004").await;
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..6u8 {
        let client = Arc::new(ward().await);
        racers.spawn(async move {
            let race = upload("30000004", "preop", "race.jpg", demo_jpeg(i));
            client
                .documents()
                .upload(race)
                .await
                .map(|r| r.id)
                .map_err(UiError::from)
        });
    }
    let results = racers.join_all().await;
    let landed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let full = results
        .iter()
        .filter(|r| matches!(r, Err(e) if e.code == ApiErrorCode::PreopFull))
        .count();
    assert_eq!((landed.len(), full), (3, 3), "{results:?}");
    let rows = s.documents().list("30000004", "preop").await.unwrap();
    let mut attached: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    attached.sort();
    let mut expected = landed.clone();
    expected.sort();
    assert_eq!(
        attached, expected,
        "exactly the uploads that succeeded are attached"
    );
}

#[tokio::test]
async fn an_image_goes_up_as_its_original_alone_and_the_server_makes_its_previews() {
    let s = ward().await;
    patient("30000005").await;
    let jpeg = demo_jpeg(5);
    let total = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let seen = total.clone();
    let mut up = upload("30000005", "intraop", "photo.jpg", jpeg.clone());
    up.progress = chartdesk_records::store::Progress::new(move |_, t| {
        seen.store(t, std::sync::atomic::Ordering::SeqCst);
    });
    let row = s.documents().upload(up).await.unwrap();
    let sent = total.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(sent, jpeg.len() as u64, "the original alone is sent");
    assert!(
        !row.has_thumbnail && !row.has_optimized,
        "no client-made previews: the server's worker makes them"
    );
    let originals = crate::local_cloud::cloud()
        .admin_store()
        .await
        .list_keys("patients/30000005/originals/")
        .await
        .unwrap();
    assert_eq!(originals.len(), 1, "{originals:?}");
}

/// An uncompressed TIFF above the test kit server's multipart threshold (8 MiB; the default is
/// 64 MiB).
pub fn big_tiff() -> Vec<u8> {
    // Smooth, like a scan's background: what these tests need is the size (an uncompressed TIFF
    // over 8 MiB); noise made every worker pass (OCR, previews) of it needlessly slow.
    let img = image::RgbImage::from_fn(2200, 1400, |x, y| {
        let v = u8::try_from((x + y) * 255 / 3600).unwrap_or(u8::MAX);
        image::Rgb([v, 255 - v, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Tiff).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_scan_above_8_mib_goes_up_in_parts_with_progress_and_opens_intact() {
    let s = ward().await;
    patient("30000006").await;
    let tiff = big_tiff();
    // Over the test kit server's threshold (one part, 8 MiB; the default is 64).
    assert!(tiff.len() > chartdesk_records::store::transfer::PART_SIZE);
    let seen = Arc::new(std::sync::Mutex::new((0u64, 0u64, 0usize)));
    let log = seen.clone();
    let mut up = upload("30000006", "radiology", "ct-scout.tiff", tiff.clone());
    up.progress = chartdesk_records::store::Progress::new(move |sent, total| {
        let mut s = log.lock().unwrap();
        *s = (sent, total, s.2 + 1);
    });
    let row = s.documents().upload(up).await.unwrap();
    assert_eq!(row.content_type, "image/tiff");
    assert_eq!(row.size, tiff.len() as u64);
    let (sent, total, reports) = *seen.lock().unwrap();
    assert_eq!(sent, total, "progress ends at 100%");
    assert_eq!(total, tiff.len() as u64, "the original alone is sent");
    assert!(reports > 100, "byte-level progress");
    cloud().processed("30000006", &row.id).await;
    let opened = s.documents().open("30000006", &row.id).await.unwrap();
    assert!(
        opened.bytes == tiff,
        "the parts reassemble to the same bytes"
    );
}

#[tokio::test]
async fn a_cancelled_upload_adds_nothing_and_leaves_no_objects() {
    let s = ward().await;
    patient("30000007").await;
    let before = crate::local_cloud::cloud()
        .admin_store()
        .await
        .list_keys("patients/30000007/")
        .await
        .unwrap();
    let mut up = upload("30000007", "radiology", "ct.tiff", big_tiff());
    let cancel = up.cancel.clone();
    up.progress = chartdesk_records::store::Progress::new(move |sent, _| {
        if sent > 2 * 1024 * 1024 {
            cancel.cancel();
        }
    });
    let err = UiError::from(s.documents().upload(up).await.unwrap_err());
    assert_eq!(err.code, ApiErrorCode::Cancelled);
    assert!(s
        .documents()
        .list("30000007", "radiology")
        .await
        .unwrap()
        .is_empty());
    let after = crate::local_cloud::cloud()
        .admin_store()
        .await
        .list_keys("patients/30000007/")
        .await
        .unwrap();
    assert_eq!(before, after, "objects already sent were removed again");
}

/// Patient 30000077 (restricted, this test's own): the desktop sends the break-glass reason
/// given for the patient with its upload; without one the server refuses the upload.
#[tokio::test]
async fn an_upload_to_a_restricted_record_goes_with_the_reason_given_for_it() {
    seed_patient("30000077", &[]).await;
    let json = r#"{"mrn":"30000077","nhs_number":"9990000018","given_name":"Test","family_name":"Restricted","birth_date":"1970-01-01","postcode":"AB1 2CD","flags":{"restricted":true}}"#;
    crate::local_cloud::cloud()
        .admin_store()
        .await
        .put_bytes(
            "patients/30000077/patient.json",
            json.as_bytes().to_vec(),
            "application/json",
            chartdesk_records::store::object_store::Write::Overwrite,
        )
        .await
        .unwrap();
    let s = ward().await;
    let refused = s
        .documents()
        .upload(upload("30000077", "lab", "r.pdf", demo_pdf("Lab", "r1")))
        .await
        .unwrap_err();
    assert_eq!(UiError::from(refused).code, ApiErrorCode::ReasonRequired);
    let reason = chartdesk_domain::StatedReason::parse(Some("direct_care"), None).unwrap();
    s.patients()
        .find_with_reason("MRN 30000077", Some(reason))
        .await
        .unwrap();
    let row = s
        .documents()
        .upload(upload("30000077", "lab", "r.pdf", demo_pdf("Lab", "r2")))
        .await
        .unwrap();
    assert_eq!(row.file_name, "r.pdf");
}
