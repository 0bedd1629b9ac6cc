use chartdesk::cache::CachedHit;
use chartdesk::records::PatientSummary;
use chartdesk::UiError;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn find_patient(
    state: State<'_, AppState>,
    query: String,
) -> Result<PatientSummary, UiError> {
    Ok(state.services()?.find_patient(&query).await?)
}

/// Asks the cloud whether the patient on screen changed; `None` when it did not.
#[tauri::command]
pub async fn revalidate_patient(
    state: State<'_, AppState>,
    mrn: String,
) -> Result<Option<PatientSummary>, UiError> {
    Ok(state.services()?.revalidate_patient(&mrn).await?)
}

/// Cached patients and documents matching what was typed (works offline).
#[tauri::command]
pub async fn search_offline(
    state: State<'_, AppState>,
    text: String,
) -> Result<Vec<CachedHit>, UiError> {
    Ok(state.services()?.search_offline(&text).await?)
}
