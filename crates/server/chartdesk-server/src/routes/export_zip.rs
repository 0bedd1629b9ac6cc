//! Export as one ZIP the server writes, for the browser (which has no file system to write
//! one into). The same choice and audit as `export`; each document is read from the store,
//! checked against its SHA-256 and appended in turn, so one document at a time is in memory.
//! The ZIP goes to a temporary file, then to the bucket under a random key, and the browser
//! downloads it from there with a presigned GET.

use std::io::Seek;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine;
use chartdesk_api::{ExportArchive, ExportRequest};
use chartdesk_domain::keys;
use chartdesk_records::export_manifest::{ExportZip, ExportedEntry, UniqueNames};
use chartdesk_worker::scratch::Sweeper;
use sha2::{Digest, Sha256};

use super::export::choose;
use super::params::RecordPath;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::presign;
use crate::state::AppState;

type Zip = ExportZip<std::fs::File>;

/// An export's ZIP as it is written: patient documents, so never left behind.
const STAGING_PREFIX: &str = "chartdesk-export-";

/// Removes what exports a stopped server was writing (at start-up).
pub fn sweep_abandoned_exports() {
    STAGING.sweep_now();
}

/// Export staging files no export can still be writing: one runs within a request (29 s on
/// Lambda; a plain server writes the 512 MiB ceiling in well under a minute).
static STAGING: Sweeper = Sweeper::new(STAGING_PREFIX, Duration::from_secs(15 * 60));

#[utoipa::path(post, path = "/v1/patients/{mrn}/export/archive", tag = "documents",
    params(RecordPath), request_body = ExportRequest, security(("bearer" = [])),
    responses((status = 200, body = ExportArchive, description = "where to download the ZIP, with manifest.csv"),
        (status = 403, body = chartdesk_api::ErrorBody), (status = 404, body = chartdesk_api::ErrorBody),
        (status = 422, body = chartdesk_api::ErrorBody),
        (status = 423, body = chartdesk_api::ErrorBody, description = "scan_pending: a chosen document not checked by the virus scanner yet")))]
pub async fn export_zip(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiPath(RecordPath { mrn }): ApiPath<RecordPath>,
    ApiJson(request): ApiJson<ExportRequest>,
) -> ApiResult<Json<ExportArchive>> {
    let limit = Some(state.max_export_bytes);
    let (mrn, chosen) = choose(&state, &user, &headers, &mrn, &request, limit).await?;
    // Named, so the upload can re-read it from its path if the SDK retries. One a server
    // killed mid-export left is removed by a later export (or the next start).
    STAGING.sweep_if_due();
    let staged = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempfile()
        .map_err(|_| ApiError::Internal("export_tempfile"))?;
    let file = staged
        .as_file()
        .try_clone()
        .map_err(|_| ApiError::Internal("export_tempfile"))?;
    let mut zip = Some(ExportZip::new(file));
    let mut names = UniqueNames::default();
    for (entry, access) in &chosen {
        let ext = keys::extension_for(&entry.content_type).unwrap_or("bin");
        let key = keys::original(&mrn, entry.category, entry.id, ext);
        let (bytes, _) = state
            .store
            .get_bytes(&key)
            .await?
            .ok_or(ApiError::Integrity(
                "A document to export is missing from the store".into(),
            ))?;
        if hex::encode(Sha256::digest(&bytes)) != entry.sha256 {
            return Err(ApiError::Integrity(
                "A stored file does not match its checksum, so the export was stopped. Contact the records team".into(),
            ));
        }
        let row = ExportedEntry {
            zip_name: names.claim(entry.category.id(), &entry.file_name, &entry.content_type),
            document_id: entry.id.to_string(),
            category: entry.category.id().to_string(),
            original_name: chartdesk_domain::typed_name(&entry.file_name, &entry.content_type),
            content_type: entry.content_type.clone(),
            size: bytes.len() as u64,
            sha256: entry.sha256.clone(),
            created: access.created.clone(),
            uploaded_by: access.uploaded_by.clone(),
            stamp: access.stamp.clone().unwrap_or_default(),
        };
        let mut writer = zip.take().ok_or(ApiError::Internal("export_zip"))?;
        zip = Some(
            blocking(move || {
                writer.add(row, &bytes)?;
                Ok(writer)
            })
            .await?,
        );
    }
    let writer: Zip = zip.take().ok_or(ApiError::Internal("export_zip"))?;
    let files = writer.len();
    let (bytes, sha256) = blocking(move || {
        let mut file = writer.finish()?;
        file.rewind()?;
        let mut hasher = Sha256::new();
        let bytes = std::io::copy(&mut file, &mut hasher)?;
        Ok((
            bytes,
            base64::engine::general_purpose::STANDARD.encode(hasher.finalize()),
        ))
    })
    .await?;
    // Into the bucket, and the browser fetches it from there: an answer through Lambda is
    // capped at 6 MB, and a page holding the ZIP as a blob would keep it all in memory.
    let key = keys::export_archive(uuid::Uuid::now_v7());
    // The MRN names the file: never the patient's name (it would sit in Downloads).
    let file_name = format!("chartdesk-export-{mrn}.zip");
    state
        .store
        .put_download(&key, staged.path(), &sha256, "application/zip", &file_name)
        .await?;
    let url = presign::download(&state, &key).await?;
    Ok(Json(ExportArchive {
        url,
        file_name,
        files,
        bytes,
    }))
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::Internal("export_task"))?
        .map_err(|_| ApiError::Internal("export_write"))
}
