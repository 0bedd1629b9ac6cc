//! Tauri build step: the config lives at the workspace root (product card layout), and only
//! Chartdesk's own commands get permissions the web view can be granted.

const COMMANDS: &[&str] = &[
    "app_info",
    "sign_in",
    "complete_new_password",
    "complete_totp",
    "complete_mfa_setup",
    "sign_out",
    "resume_session",
    "lock_session",
    "unlock_session",
    "find_patient",
    "break_glass_reasons",
    "access_history",
    "list_documents",
    "search_documents",
    "open_document",
    "document_thumbnail",
    "export_documents",
    "stamp_document",
    "detach_document",
    "delete_document",
    "document_history",
    "upload_chunk",
    "upload_document",
    "cancel_upload",
    "revalidate_patient",
    "search_offline",
    "outbox",
    "retry_outbox_item",
    "discard_outbox_item",
    "reset_offline_data",
    "sync_now",
    "pin_patient",
    "unpin_patient",
    "clear_offline_data",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {e:#}");
    }
}
