use chartdesk::cache::CachedHit;
use chartdesk::services::{AccessHistoryRows, AlertList, BreakGlassChoice};
use chartdesk::UiError;
use chartdesk_domain::PatientSummary;
use chartdesk_domain::StatedReason;
use tauri::{Manager, State};

use crate::state::AppState;

/// `reason` and `detail`: the break-glass reason for a restricted record, when asked for.
/// The offline copy is brought up to date after the answer has gone to the window.
#[tauri::command]
pub async fn find_patient(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    query: String,
    reason: Option<String>,
    detail: Option<String>,
) -> Result<PatientSummary, UiError> {
    let services = state.services()?;
    let stated = match reason {
        Some(r) => Some(
            StatedReason::parse(Some(&r), detail.as_deref())
                .map_err(|e| UiError::from(chartdesk::AppError::from(e)))?,
        ),
        None => None,
    };
    let summary = services.patients().find_with_reason(&query, stated).await?;
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        if let Ok(services) = state.services() {
            services.patients().update_offline_copies().await;
        }
    });
    Ok(summary)
}

/// The reasons a restricted record may be opened for, in the order the list shows them.
#[tauri::command]
pub fn break_glass_reasons() -> Vec<BreakGlassChoice> {
    chartdesk::services::break_glass_choices()
}

/// Who opened or changed the patient's record (records admins), newest first: the newest page,
/// or the one after `after` (the `next` of the page before).
#[tauri::command]
pub async fn access_history(
    state: State<'_, AppState>,
    mrn: String,
    after: Option<String>,
) -> Result<AccessHistoryRows, UiError> {
    let services = state.services()?;
    Ok(services
        .admin()
        .access_history_rows(&mrn, after.as_deref())
        .await?)
}

/// The newest documents the virus scanner blocked, trust-wide (records admins).
#[tauri::command]
pub async fn virus_alerts(state: State<'_, AppState>) -> Result<AlertList, UiError> {
    Ok(state.services()?.admin().alerts().await?)
}

/// Asks the cloud whether the patient on screen changed; `None` when it did not.
#[tauri::command]
pub async fn revalidate_patient(
    state: State<'_, AppState>,
    mrn: String,
) -> Result<Option<PatientSummary>, UiError> {
    Ok(state.services()?.patients().revalidate(&mrn).await?)
}

/// The open patient's record version, polled while it is on screen; `None` while `seen` is
/// current (offline: the error says unreachable and the window stops polling quietly).
#[tauri::command]
pub async fn record_version(
    state: State<'_, AppState>,
    mrn: String,
    seen: Option<String>,
) -> Result<Option<String>, UiError> {
    Ok(state
        .services()?
        .patients()
        .record_version(&mrn, seen.as_deref())
        .await?)
}

/// Cached patients and documents matching what was typed (works offline).
#[tauri::command]
pub async fn search_offline(
    state: State<'_, AppState>,
    text: String,
) -> Result<Vec<CachedHit>, UiError> {
    Ok(state.services()?.offline().search_offline(&text).await?)
}
