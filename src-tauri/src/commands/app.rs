use chartdesk::AppInfo;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo::new(&state.profile, state.services(), env!("CARGO_PKG_VERSION"))
}
