use chartdesk::{SignInResult, SignedInUser, UiError};
use tauri::State;

use crate::state::AppState;

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<SignInResult, UiError> {
    Ok(state.services()?.sign_in(&username, &password).await?)
}

#[tauri::command]
pub async fn complete_new_password(
    state: State<'_, AppState>,
    new_password: String,
    confirm: String,
) -> Result<SignInResult, UiError> {
    Ok(state
        .services()?
        .session()
        .complete_new_password(&new_password, &confirm)
        .await?)
}

#[tauri::command]
pub async fn complete_totp(
    state: State<'_, AppState>,
    code: String,
) -> Result<SignInResult, UiError> {
    Ok(state.services()?.session().complete_totp(&code).await?)
}

#[tauri::command]
pub async fn complete_mfa_setup(
    state: State<'_, AppState>,
    code: String,
) -> Result<SignInResult, UiError> {
    Ok(state
        .services()?
        .session()
        .complete_mfa_setup(&code)
        .await?)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), UiError> {
    Ok(state.services()?.sign_out().await?)
}

/// At start-up: the last user signed back in from the keychain, if their session still holds.
#[tauri::command]
pub async fn resume_session(state: State<'_, AppState>) -> Result<Option<SignedInUser>, UiError> {
    Ok(state.services()?.session().resume_session().await?)
}

/// The window has been idle: lock until the password is entered again.
#[tauri::command]
pub async fn lock_session(state: State<'_, AppState>) -> Result<(), UiError> {
    Ok(state.services()?.session().lock().await?)
}

#[tauri::command]
pub async fn unlock_session(
    state: State<'_, AppState>,
    password: String,
) -> Result<SignedInUser, UiError> {
    Ok(state.services()?.session().unlock(&password).await?)
}
