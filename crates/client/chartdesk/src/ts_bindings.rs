//! The UI's TypeScript types, generated from the Rust types it receives.
//! `ui/src/backend/types.ts` is committed; a test fails when it drifts from this output.
//! The types the records server's `/v1` carries too are `chartdesk-api`'s (`api-types.ts`):
//! this file imports and re-exports them, so screens import every type from one place.

use ts_rs::TS;

use crate::app_info::AppInfo;
use crate::cache::{CachedHit, OutboxItem, OutboxState};
use crate::services::{
    AccessHistoryRows, DrainReport, DrainedItem, ExportSummary, FhirExportFile, FhirExportSummary,
    PinReport, SyncStatus, UploadOutcome, UploadProgress,
};
use crate::ui_error::UiError;

/// Path of the committed file, relative to the workspace root.
pub const TYPES_PATH: &str = "ui/src/backend/types.ts";

pub fn render() -> String {
    let cfg = ts_rs::Config::new();
    let decls = [
        UploadProgress::decl(&cfg),
        ExportSummary::decl(&cfg),
        OutboxState::decl(&cfg),
        OutboxItem::decl(&cfg),
        CachedHit::decl(&cfg),
        DrainedItem::decl(&cfg),
        DrainReport::decl(&cfg),
        UploadOutcome::decl(&cfg),
        SyncStatus::decl(&cfg),
        PinReport::decl(&cfg),
        UiError::decl(&cfg),
        AppInfo::decl(&cfg),
        AccessHistoryRows::decl(&cfg),
        FhirExportFile::decl(&cfg),
        FhirExportSummary::decl(&cfg),
    ];
    let mut head = String::from(
        "// Generated from the Rust core by `UPDATE_TS_TYPES=1 cargo test ts_bindings`. Do not edit.\n\n",
    );
    let shared = chartdesk_api::typescript_names().join(", ");
    head.push_str(&format!(
        "import type {{ {shared} }} from \"./api-types\";\nexport type {{ {shared} }};\n\n"
    ));
    chartdesk_api::typescript_module(&head, decls)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's root, where `ui/` is (this package is `crates/client/chartdesk`).
    fn repository() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
    }

    /// Rewrites `relative` when the developer asks (`UPDATE_TS_TYPES`), then checks the
    /// committed file is `expected`.
    // UPDATE_TS_TYPES is the developer's request to rewrite the file, not a setting.
    #[allow(clippy::disallowed_methods)]
    fn assert_committed(relative: &str, expected: &str) {
        let path = repository().join(relative);
        if std::env::var_os("UPDATE_TS_TYPES").is_some() {
            std::fs::write(&path, expected).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{relative} is out of date: run `UPDATE_TS_TYPES=1 cargo test --workspace --lib ts_bindings` and commit it"
        );
    }

    #[test]
    fn committed_ui_types_match_the_rust_types() {
        assert_committed(TYPES_PATH, &render());
    }

    #[test]
    fn committed_api_types_match_the_wire_types() {
        assert_committed(chartdesk_api::TYPESCRIPT_PATH, &chartdesk_api::typescript());
    }

    /// The names of the window's commands, as `src-tauri` declares them (its one list).
    macro_rules! commands {
        ($($module:ident::$name:ident),* $(,)?) => {
            [$(stringify!($name)),*]
        };
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn the_window_invokes_exactly_the_commands_src_tauri_declares() {
        let mut declared: Vec<&str> =
            include!("../../../../src-tauri/src/commands/list.rs").to_vec();
        let path = repository().join("ui/src/backend/tauri.ts");
        let ts = std::fs::read_to_string(path).unwrap();
        let call = regex::Regex::new(r#"\bcall(?:<[^(]*>)?\(\s*"([a-z_]+)""#).unwrap();
        let mut invoked: Vec<&str> = call
            .captures_iter(&ts)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        declared.sort_unstable();
        invoked.sort_unstable();
        assert_eq!(
            invoked, declared,
            "ui/src/backend/tauri.ts and src-tauri/src/commands/list.rs differ"
        );
    }
}
