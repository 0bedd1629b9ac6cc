//! Sign-in (the shared `chartdesk-signin` crate) and what only the desktop keeps: the refresh
//! token in the OS keychain and the verifier that opens the idle lock offline.

mod keychain;
pub mod offline_unlock;

pub use chartdesk_signin::*;
pub use keychain::{KeychainBackend, KeychainError, RefreshTokenVault};
