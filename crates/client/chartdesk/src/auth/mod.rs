//! What only the desktop keeps of a sign-in (the sign-in itself is the shared `chartdesk-signin`
//! crate): the refresh token in the OS keychain and the verifier that opens the idle lock offline.

mod keychain;
pub mod offline_unlock;

pub use keychain::{KeychainBackend, KeychainError, RefreshTokenVault};
