//! IPC commands: each one validates nothing itself and calls the core, which does.

pub mod app;
pub mod documents;
pub mod outbox;
pub mod patients;
pub mod session;
