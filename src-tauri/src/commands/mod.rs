//! IPC commands: each one validates nothing itself and calls the core, which does.

pub mod app;
mod chosen_path;
pub mod documents;
pub mod outbox;
pub mod patients;
pub mod record_export;
pub mod session;
