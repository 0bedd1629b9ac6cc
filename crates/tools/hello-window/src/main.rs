//! A Tauri 2 window showing "Hello": nothing else, so what it costs is Tauri + WebKitGTK alone.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    match tauri::Builder::default().run(tauri::generate_context!()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hello-window could not start its window: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
