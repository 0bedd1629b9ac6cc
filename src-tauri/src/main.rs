//! Chartdesk desktop window. No business rule lives here: see the `chartdesk` core crate.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod background_sync;
mod commands;
mod state;

/// Routes every command `commands/list.rs` declares to its function.
macro_rules! commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        tauri::generate_handler![$(commands::$module::$name),*]
    };
}

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
        .invoke_handler(include!("commands/list.rs"))
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Chartdesk could not start its window: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
