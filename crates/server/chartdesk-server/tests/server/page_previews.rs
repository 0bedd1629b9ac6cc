//! Every page of a TIFF: the open answer lists the page previews the worker recorded, and each
//! page opens on its own with its SHA-256; a page not made yet says so. In-process: the worker's
//! outcome written into the manifest (and its previews into the store) as the worker writes them.

use chartdesk_domain::sha256_hex;
use chartdesk_domain::{keys, Manifest, Mrn, Processing, ProcessingState};
use chartdesk_records::store::object_store::Write;
use chartdesk_records::store::RecordStore;
use chartdesk_records::update_manifest;
use chartdesk_sandbox::demo_jpeg;
use uuid::Uuid;

use crate::harness::token;
use crate::in_process::Local;

/// A demo image of some demo patient that has its first page's preview.
async fn demo_image(local: &Local) -> (String, Uuid) {
    for n in 1..=20 {
        let mrn = format!("{}", 10000000 + n);
        let manifest: Manifest = local.manifest(&mrn).await;
        let stored = Mrn::from_stored(&mrn).unwrap();
        let found = manifest.documents.iter().find(|d| {
            d.variants
                .contains(&keys::optimized(&stored, d.category, d.id))
        });
        if let Some(d) = found {
            return (mrn, d.id);
        }
    }
    panic!("no demo image with a preview");
}

/// Writes pages 2..=`pages` as the worker would, and records its outcome.
async fn processed(
    local: &Local,
    mrn: &str,
    id: Uuid,
    pages: u32,
    state: ProcessingState,
) -> Vec<Vec<u8>> {
    let stored = Mrn::from_stored(mrn).unwrap();
    let manifest: Manifest = local.manifest(mrn).await;
    let category = manifest
        .documents
        .iter()
        .find(|d| d.id == id)
        .unwrap()
        .category;
    let store: &dyn RecordStore = local.store.as_ref();
    let mut written = Vec::new();
    for page in 2..=pages {
        let jpeg = demo_jpeg(u8::try_from(page).unwrap());
        let key = keys::page_optimized(&stored, category, id, page);
        store
            .put_bytes(&key, jpeg.clone(), "image/jpeg", Write::Overwrite)
            .await
            .unwrap();
        written.push(jpeg);
    }
    update_manifest(store, &stored, |m: &mut Manifest| {
        let entry = m.documents.iter_mut().find(|d| d.id == id).unwrap();
        for page in 2..=pages {
            entry
                .variants
                .push(keys::page_optimized(&stored, category, id, page));
        }
        entry.processing = Some(Processing {
            state,
            pages: Some(pages),
            preview_pages: pages,
            ..Processing::queued()
        });
        Ok::<_, std::convert::Infallible>(())
    })
    .await
    .unwrap();
    written
}

#[tokio::test]
async fn the_open_answer_lists_every_page_preview_and_each_page_opens_with_its_checksum() {
    let local = Local::demo().await;
    let (mrn, id) = demo_image(&local).await;
    let written = processed(&local, &mrn, id, 3, ProcessingState::Done).await;
    let t = token("dr.okafor").await;
    let open = format!("/v1/patients/{mrn}/documents/{id}");

    let (status, body) = local.get(&t, &format!("{open}?view=optimized")).await;
    assert_eq!(status, 200, "{body}");
    let urls = body["page_urls"].as_array().unwrap();
    assert_eq!(urls.len(), 3, "{body}");
    assert!(urls[2].as_str().unwrap().contains("-p3-q80-1600w.jpg"));
    let (status, original) = local.get(&t, &open).await;
    assert_eq!(status, 200, "{original}");
    assert_eq!(original["page_urls"].as_array().unwrap().len(), 3);

    let (status, third) = local
        .get(&t, &format!("{open}?view=optimized&page=3"))
        .await;
    assert_eq!(status, 200, "{third}");
    assert_eq!(third["sha256"], sha256_hex(&written[1]));
    assert_eq!(third["content_type"], "image/jpeg");
    let (status, fourth) = local
        .get(&t, &format!("{open}?view=optimized&page=4"))
        .await;
    assert_eq!(
        (status, fourth["code"].as_str()),
        (404, Some("not_found")),
        "{fourth}"
    );
    let (status, paged_original) = local.get(&t, &format!("{open}?page=2")).await;
    assert_eq!(status, 400, "{paged_original}");
}

#[tokio::test]
async fn a_page_the_server_has_not_prepared_yet_says_so() {
    let local = Local::demo().await;
    let (mrn, id) = demo_image(&local).await;
    processed(&local, &mrn, id, 1, ProcessingState::Queued).await;
    let t = token("dr.okafor").await;
    let open = format!("/v1/patients/{mrn}/documents/{id}");
    let (status, body) = local
        .get(&t, &format!("{open}?view=optimized&page=2"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        body["message"],
        "No preview yet: the server is still preparing it"
    );
}
