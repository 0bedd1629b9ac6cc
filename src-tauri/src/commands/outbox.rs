use chartdesk::cache::OutboxItem;
use chartdesk::services::{PinReport, SyncStatus};
use chartdesk::UiError;
use tauri::{Emitter, State, Window};

use crate::state::AppState;

#[tauri::command]
pub async fn outbox(state: State<'_, AppState>) -> Result<Vec<OutboxItem>, UiError> {
    Ok(state.services()?.outbox().items().await?)
}

/// The user's answer to a waiting upload: try again, optionally replacing the oldest preop image.
#[tauri::command]
pub async fn retry_outbox_item(
    state: State<'_, AppState>,
    doc_id: String,
    replace_oldest: bool,
) -> Result<SyncStatus, UiError> {
    let services = state.services()?;
    services
        .outbox()
        .retry_outbox_item(&doc_id, replace_oldest)
        .await?;
    Ok(services.outbox().sync_round().await)
}

#[tauri::command]
pub async fn discard_outbox_item(
    state: State<'_, AppState>,
    doc_id: String,
) -> Result<(), UiError> {
    Ok(state
        .services()?
        .outbox()
        .discard_outbox_item(&doc_id)
        .await?)
}

/// Moves an unreadable offline copy aside and starts a new one.
#[tauri::command]
pub async fn reset_offline_data(state: State<'_, AppState>) -> Result<(), UiError> {
    Ok(state.services()?.offline().reset_cache().await?)
}

/// One background round now (the "Try now" button).
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncStatus, UiError> {
    Ok(state.services()?.outbox().sync_round().await)
}

/// Downloads the patient's documents for offline use; `pin-progress` events as it goes.
#[tauri::command]
pub async fn pin_patient(
    state: State<'_, AppState>,
    window: Window,
    mrn: String,
) -> Result<PinReport, UiError> {
    let progress = |done: u32, total: u32| {
        let _ = window.emit("pin-progress", (done, total));
    };
    Ok(state
        .services()?
        .offline()
        .pin_patient(&mrn, progress)
        .await?)
}

#[tauri::command]
pub async fn unpin_patient(state: State<'_, AppState>, mrn: String) -> Result<(), UiError> {
    Ok(state.services()?.offline().unpin_patient(&mrn).await?)
}

/// "Clear offline data": cached patients and files go; waiting uploads stay.
#[tauri::command]
pub async fn clear_offline_data(state: State<'_, AppState>) -> Result<(), UiError> {
    Ok(state.services()?.offline().clear_offline_data().await?)
}
