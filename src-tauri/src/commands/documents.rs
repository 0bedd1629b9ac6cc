use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chartdesk::services::{
    decode_file_name, DocumentView, ExportSelection, ExportSummary, FileUpload, UploadOutcome,
    UploadProgress,
};
use chartdesk::UiError;
use chartdesk_domain::{DocumentRow, FirstRows, HistoryRow};
use chartdesk_records::store::Progress;
use tauri::ipc::{InvokeBody, Request, Response};
use tauri::{AppHandle, Emitter, State, Window};
use tauri_plugin_dialog::DialogExt;

use crate::state::AppState;

/// One page of a category (`after`: the `next` of the page before; none for the first).
#[tauri::command]
pub async fn list_documents_page(
    state: State<'_, AppState>,
    mrn: String,
    category: String,
    after: Option<String>,
    limit: u32,
) -> Result<FirstRows, UiError> {
    Ok(state
        .services()?
        .documents()
        .list_page(&mrn, &category, after.as_deref(), limit)
        .await?)
}

/// The patient's documents of every category matching `text`.
#[tauri::command]
pub async fn search_documents(
    state: State<'_, AppState>,
    mrn: String,
    text: String,
) -> Result<Vec<DocumentRow>, UiError> {
    Ok(state.services()?.documents().search(&mrn, &text).await?)
}

/// The file's bytes as a raw IPC body (no JSON/base64 inflation); the UI knows its type
/// from the document row. `optimized`: an image's 1600 px JPEG instead of the original, of
/// `page` (from 1) where a TIFF has several.
#[tauri::command]
pub async fn open_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
    optimized: Option<bool>,
    page: Option<u32>,
) -> Result<Response, UiError> {
    let services = state.services()?;
    let doc = match (optimized, page) {
        (Some(true), Some(page)) => services.documents().open_page(&mrn, &doc_id, page).await?,
        (Some(true), None) => {
            services
                .documents()
                .open_as(&mrn, &doc_id, DocumentView::Optimized)
                .await?
        }
        _ => {
            services
                .documents()
                .open_as(&mrn, &doc_id, DocumentView::Original)
                .await?
        }
    };
    Ok(Response::new(doc.bytes))
}

/// The document's 320 px JPEG thumbnail as raw bytes; empty when it has none (the list then
/// shows a type icon).
#[tauri::command]
pub async fn document_thumbnail(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
) -> Result<Response, UiError> {
    let thumb = state
        .services()?
        .documents()
        .thumbnail(&mrn, &doc_id)
        .await?;
    Ok(Response::new(thumb.unwrap_or_default()))
}

/// Asks where to save (the OS save dialog, so the path never comes from the web view), then
/// writes the ZIP; `None` when the user closed the dialog.
#[tauri::command]
pub async fn export_documents(
    app: AppHandle,
    state: State<'_, AppState>,
    mrn: String,
    doc_ids: Vec<String>,
    categories: Vec<String>,
) -> Result<Option<ExportSummary>, UiError> {
    let services = state.services()?;
    let chosen = super::chosen_path::chosen(|done| {
        app.dialog()
            .file()
            .set_title("Export documents")
            .add_filter("ZIP archive", &["zip"])
            .set_file_name(format!("chartdesk-{mrn}-documents.zip"))
            .save_file(done)
    });
    let Some(path) = chosen.await? else {
        return Ok(None);
    };
    let selection = ExportSelection {
        doc_ids,
        categories,
    };
    Ok(Some(
        services.documents().export(&mrn, &selection, path).await?,
    ))
}

#[tauri::command]
pub async fn stamp_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
) -> Result<DocumentRow, UiError> {
    Ok(state.services()?.documents().stamp(&mrn, &doc_id).await?)
}

/// Records admins: the document leaves the record; its files are kept.
#[tauri::command]
pub async fn detach_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
) -> Result<(), UiError> {
    Ok(state
        .services()?
        .admin()
        .detach_document(&mrn, &doc_id)
        .await?)
}

/// Records admins: the document's files are removed; `reason` stays on its tombstone.
#[tauri::command]
pub async fn delete_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
    reason: String,
) -> Result<(), UiError> {
    Ok(state
        .services()?
        .admin()
        .delete_document(&mrn, &doc_id, &reason)
        .await?)
}

/// A category's replaced, detached and deleted documents; `None` for ward staff.
#[tauri::command]
pub async fn document_history(
    state: State<'_, AppState>,
    mrn: String,
    category: String,
) -> Result<Option<Vec<HistoryRow>>, UiError> {
    Ok(state
        .services()?
        .documents()
        .history(&mrn, &category)
        .await?)
}

/// One chunk of a file the window is adding, as the raw IPC body (the upload's id and the
/// chunk's offset in headers): staged on disk, so no whole file crosses the bridge.
#[tauri::command]
pub async fn upload_chunk(state: State<'_, AppState>, request: Request<'_>) -> Result<(), UiError> {
    let InvokeBody::Raw(chunk) = request.body() else {
        return Err(UiError::invalid_request("The file was not sent as bytes"));
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let offset = header("x-offset")
        .parse::<u64>()
        .map_err(|_| UiError::invalid_request("The file's chunks arrived out of order"))?;
    let limit = state.services()?.policy().max_upload_bytes;
    state
        .staged
        .append(header("x-upload-id"), offset, chunk, limit)
}

/// Adds the file the window staged under its upload id (`upload_chunk`): MRN, category, the
/// file name and the choice to replace the oldest preop image as arguments. The core checks it,
/// reads it from disk into the outbox and sends it; progress goes to the window as
/// `upload-progress` events.
#[tauri::command]
pub async fn upload_document(
    state: State<'_, AppState>,
    window: Window,
    upload_id: String,
    mrn: String,
    category: String,
    file_name: String,
    replace_oldest: bool,
) -> Result<UploadOutcome, UiError> {
    let staged = state
        .staged
        .take(&upload_id)
        .ok_or_else(|| UiError::invalid_request("The file was not received; add it again"))?;
    let file_name = decode_file_name(&file_name);
    let upload = FileUpload {
        path: staged.path(),
        file_name: &file_name,
        mrn: &mrn,
        category: &category,
        replace_oldest,
        cancel: state.uploads.start(&upload_id),
        progress: progress_events(window, upload_id.clone()),
    };
    // Through the outbox: durable first, then sent; offline it stays queued. The staged copy
    // goes when this returns (the outbox holds the bytes now).
    let result = state.services()?.outbox().add_file(upload).await;
    state.uploads.finish(&upload_id);
    drop(staged);
    Ok(result?)
}

/// Stops an upload the window started (still staging, or sending); it ends with a `cancelled`
/// error and adds nothing.
#[tauri::command]
pub fn cancel_upload(state: State<'_, AppState>, upload_id: String) -> bool {
    let staging = state.staged.discard(&upload_id);
    state.uploads.cancel(&upload_id) || staging
}

/// Emits progress at most once per whole percent, so a 50 MiB file is 100 events, not 800.
fn progress_events(window: Window, upload_id: String) -> Arc<Progress> {
    let last = AtomicU64::new(u64::MAX);
    Progress::new(move |sent, total| {
        let percent = (sent * 100).checked_div(total).unwrap_or(0);
        if last.swap(percent, Ordering::Relaxed) != percent {
            let event = UploadProgress {
                upload_id: upload_id.clone(),
                sent,
                total,
            };
            let _ = window.emit("upload-progress", event);
        }
    })
}
