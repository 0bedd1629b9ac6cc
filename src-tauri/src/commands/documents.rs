use chartdesk::records::DocumentRow;
use chartdesk::services::{decode_file_name, Upload};
use chartdesk::UiError;
use tauri::ipc::{InvokeBody, Request, Response};
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn list_documents(
    state: State<'_, AppState>,
    mrn: String,
    category: String,
) -> Result<Vec<DocumentRow>, UiError> {
    Ok(state.services()?.list_documents(&mrn, &category).await?)
}

/// The file's bytes as a raw IPC body (no JSON/base64 inflation); the UI knows its type
/// from the document row.
#[tauri::command]
pub async fn open_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
) -> Result<Response, UiError> {
    let doc = state.services()?.open_document(&mrn, &doc_id).await?;
    Ok(Response::new(doc.bytes))
}

#[tauri::command]
pub async fn stamp_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
) -> Result<DocumentRow, UiError> {
    Ok(state.services()?.stamp_document(&mrn, &doc_id).await?)
}

/// Records admins: the document leaves the record; its files are kept.
#[tauri::command]
pub async fn detach_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
) -> Result<(), UiError> {
    Ok(state.services()?.detach_document(&mrn, &doc_id).await?)
}

/// Records admins: the document and its files are removed.
#[tauri::command]
pub async fn delete_document(
    state: State<'_, AppState>,
    mrn: String,
    doc_id: String,
) -> Result<(), UiError> {
    Ok(state.services()?.delete_document(&mrn, &doc_id).await?)
}

/// The file's bytes arrive as the raw IPC body; MRN, category and the (percent-encoded) file
/// name as headers. Every check is the core's.
#[tauri::command]
pub async fn upload_document(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<DocumentRow, UiError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::invalid_request("The file was not sent as bytes"));
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let file_name = decode_file_name(header("x-file-name"));
    let upload = Upload {
        mrn: header("x-mrn"),
        category: header("x-category"),
        file_name: &file_name,
        bytes: bytes.clone(),
        replace_oldest: header("x-replace-oldest") == "true",
    };
    Ok(state.services()?.upload_document(upload).await?)
}
