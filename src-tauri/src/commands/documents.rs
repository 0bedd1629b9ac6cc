use chartdesk::records::DocumentRow;
use chartdesk::UiError;
use tauri::ipc::Response;
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
