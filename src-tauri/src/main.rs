//! Chartdesk desktop window. No business rule lives here: see the `chartdesk` core crate.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod background_sync;
mod commands;
mod state;

// Start-up reads the log file and profile settings from the environment, once.
#[allow(clippy::disallowed_methods)]
fn main() -> std::process::ExitCode {
    // Before any thread starts, and before WebKit starts its processes (which inherit it).
    chartdesk::web_view::apply();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // CHARTDESK_LOG_FILE sends the log to a file (for support, and the e2e check that no
    // patient data reaches it); stderr otherwise.
    let log_file = std::env::var_os("CHARTDESK_LOG_FILE").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    let _ = match log_file {
        Some(file) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .try_init(),
        None => tracing_subscriber::fmt().with_env_filter(filter).try_init(),
    };

    let profile = std::env::var("CHARTDESK_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| chartdesk::config::DEFAULT_PROFILE.to_string());
    let state = tauri::async_runtime::block_on(state::AppState::start(&profile));

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .setup(|app| {
            background_sync::start(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::session::sign_in,
            commands::session::complete_new_password,
            commands::session::complete_totp,
            commands::session::complete_mfa_setup,
            commands::session::sign_out,
            commands::session::resume_session,
            commands::session::lock_session,
            commands::session::unlock_session,
            commands::patients::find_patient,
            commands::patients::break_glass_reasons,
            commands::patients::access_history,
            commands::patients::revalidate_patient,
            commands::patients::search_offline,
            commands::documents::list_documents,
            commands::documents::search_documents,
            commands::documents::open_document,
            commands::documents::document_thumbnail,
            commands::documents::export_documents,
            commands::documents::stamp_document,
            commands::documents::detach_document,
            commands::documents::delete_document,
            commands::documents::document_history,
            commands::documents::upload_chunk,
            commands::documents::upload_document,
            commands::documents::cancel_upload,
            commands::outbox::outbox,
            commands::outbox::retry_outbox_item,
            commands::outbox::discard_outbox_item,
            commands::outbox::reset_offline_data,
            commands::outbox::sync_now,
            commands::outbox::pin_patient,
            commands::outbox::unpin_patient,
            commands::outbox::clear_offline_data,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Chartdesk could not start its window: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
