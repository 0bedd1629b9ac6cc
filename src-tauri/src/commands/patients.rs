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
