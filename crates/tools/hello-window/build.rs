//! Tauri build step: reads tauri.conf.json next to this file. No commands, no capabilities.

fn main() {
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new()) {
        println!("cargo::error=tauri build step failed: {e:#}");
    }
}
