use chartdesk::services::FhirExportSummary;
use chartdesk::UiError;
use tauri::{AppHandle, Emitter, State, Window};
use tauri_plugin_dialog::DialogExt;

use crate::state::AppState;

/// Exports the patient's whole record as FHIR NDJSON (records admins) for another system:
/// asks for a folder (the OS dialog, so the path never comes from the web view), then runs the
/// records server's bulk export; `record-export-progress` events say how it goes. `None` when
/// the user closed the dialog.
#[tauri::command]
pub async fn export_record_fhir(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    mrn: String,
) -> Result<Option<FhirExportSummary>, UiError> {
    let services = state.services()?;
    let chosen = super::chosen_path::chosen(|done| {
        app.dialog()
            .file()
            .set_title("Export the record (FHIR) into a folder")
            .pick_folder(done)
    });
    let Some(folder) = chosen.await? else {
        return Ok(None);
    };
    let progress = |said: &str| {
        let _ = window.emit("record-export-progress", said.to_string());
    };
    let summary = services
        .admin()
        .fhir_export(std::slice::from_ref(&mrn), &folder, &progress)
        .await?;
    Ok(Some(summary))
}
