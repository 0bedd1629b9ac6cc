//! Tauri build step: the config lives at the workspace root (product card layout), and only
//! Chartdesk's own commands (declared once, in `src/commands/list.rs`) get permissions the web
//! view is granted: Tauri writes an `allow-…` permission per command, and the window's
//! `default` capability, written here, grants exactly those.

/// The names of the commands `src/commands/list.rs` declares.
macro_rules! commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}
include!("src/commands/list.rs");

const CAPABILITY_PATH: &str = "capabilities/default.json";

/// Tauri's own permissions the window needs: zooming with Ctrl+=/Ctrl+- (WCAG 1.4.4, text at
/// 200%), which on Linux and macOS Tauri polyfills through its set-zoom call.
const CORE_PERMISSIONS: &[&str] = &["core:webview:allow-set-webview-zoom"];

/// The main window may call Chartdesk's own commands, and zoom, and nothing else.
fn default_capability() -> String {
    let permissions: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("    \"allow-{}\"", c.replace('_', "-")))
        .chain(CORE_PERMISSIONS.iter().map(|p| format!("    \"{p}\"")))
        .collect();
    let permissions = permissions.join(",\n");
    format!(
        r#"{{
  "$schema": "../gen/schemas/desktop-schema.json",
  "identifier": "default",
  "description": "The main window may call Chartdesk's own commands, and zoom, and nothing else. Written by build.rs from src/commands/list.rs: do not edit.",
  "windows": [
    "main"
  ],
  "permissions": [
{permissions}
  ]
}}
"#
    )
}

fn main() {
    println!("cargo::rerun-if-changed=src/commands/list.rs");
    let capability = default_capability();
    // Written only when it changes: Tauri's build step watches the capabilities folder.
    if std::fs::read_to_string(CAPABILITY_PATH).ok().as_deref() != Some(capability.as_str()) {
        if let Err(e) = std::fs::write(CAPABILITY_PATH, capability) {
            println!("cargo::error=cannot write {CAPABILITY_PATH}: {e}");
            return;
        }
    }
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {e:#}");
    }
}
