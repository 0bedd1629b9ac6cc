//! Sign-in against the Cognito user pool and the in-memory session.

mod cognito_sign_in;
mod error;
mod keychain;
mod mfa_setup;
pub mod offline_unlock;
mod password_policy;
mod session;
mod srp;
mod token_refresh;

pub use chartdesk_records::token::IdClaims;
pub use chartdesk_records::token::{
    cognito_issuer, http_key_source, KeySource, TokenError, TokenVerifier,
};
pub use cognito_sign_in::{ChallengeKind, PendingChallenge, SignInStep, UserPool};
pub use error::AuthError;
pub use keychain::{KeychainBackend, KeychainError, RefreshTokenVault};
pub use mfa_setup::{enrolment_for, AuthenticatorEnrolment};
pub use password_policy::PasswordPolicy;
pub use session::{Session, Tokens};
pub use srp::SrpAttempt;
