//! The desktop client core: no GUI dependency. The window (`src-tauri`) and the `chartdesk`
//! command line (`crates/client/chartdesk-cli`) are thin layers over this crate.

pub mod app_info;
pub mod auth;
pub mod cache;
pub mod cloud;
pub mod config;
pub mod export;
pub mod services;
pub mod ts_bindings;
pub mod ui_error;
pub mod upload;
pub mod web_view;

pub use app_info::AppInfo;
pub use services::{AppError, Services, SignInResult, SignedInUser};
pub use ui_error::UiError;
