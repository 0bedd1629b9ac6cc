//! Chartdesk core: no GUI dependency. The desktop shell (`src-tauri`) and the `chartdesk` CLI
//! are thin layers over this crate.

pub mod app_info;
pub mod auth;
pub mod cache;
pub mod cloud;
pub mod config;
pub mod domain;
pub mod export;
pub mod records;
pub mod sandbox;
pub mod services;
pub mod ts_bindings;
pub mod ui_error;
pub mod upload;

pub use app_info::AppInfo;
pub use services::{AppError, Services, SignInResult, SignedInUser};
pub use ui_error::{ErrorCode, UiError};
