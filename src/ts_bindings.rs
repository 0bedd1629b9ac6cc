//! The UI's TypeScript types, generated from the Rust types it receives.
//! `ui/src/backend/types.ts` is committed; a test fails when it drifts from this output.

use ts_rs::TS;

use crate::app_info::AppInfo;
use crate::cache::{CachedHit, OutboxItem, OutboxState};
use crate::domain::{BreakGlassReason, ScanStatus};
use crate::domain::{Category, Role, SearchChoice};
use crate::records::{DocumentRow, PatientBanner, PatientSummary, Tile};
use crate::records::{HistoryRow, HistoryStatus};
use crate::services::{
    AccessEvent, AccessHistoryRows, BreakGlassChoice, DrainReport, DrainedItem, ExportSummary,
    PinReport, SignInResult, SignedInUser, SyncStatus, UploadOutcome, UploadProgress,
};
use crate::ui_error::{ErrorCode, UiError};

/// Path of the committed file, relative to the workspace root.
pub const TYPES_PATH: &str = "ui/src/backend/types.ts";

pub fn render() -> String {
    let cfg = ts_rs::Config::new();
    let decls = [
        Category::decl(&cfg),
        Role::decl(&cfg),
        SignedInUser::decl(&cfg),
        SignInResult::decl(&cfg),
        PatientBanner::decl(&cfg),
        Tile::decl(&cfg),
        PatientSummary::decl(&cfg),
        ScanStatus::decl(&cfg),
        DocumentRow::decl(&cfg),
        HistoryStatus::decl(&cfg),
        HistoryRow::decl(&cfg),
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
        ErrorCode::decl(&cfg),
        SearchChoice::decl(&cfg),
        UiError::decl(&cfg),
        AppInfo::decl(&cfg),
        BreakGlassReason::decl(&cfg),
        BreakGlassChoice::decl(&cfg),
        AccessEvent::decl(&cfg),
        AccessHistoryRows::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust core by `UPDATE_TS_TYPES=1 cargo test ts_bindings`. Do not edit.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // UPDATE_TS_TYPES is the developer's request to rewrite the file, not a setting.
    #[allow(clippy::disallowed_methods)]
    fn committed_ui_types_match_the_rust_types() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TYPES_PATH);
        let expected = render();
        if std::env::var_os("UPDATE_TS_TYPES").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{TYPES_PATH} is out of date: run `UPDATE_TS_TYPES=1 cargo test ts_bindings` and commit it"
        );
    }
}
