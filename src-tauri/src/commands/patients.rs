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
