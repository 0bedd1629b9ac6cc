//! Sign-in against the Cognito user pool: the first step (password or SRP), the answers to its
//! challenges, refresh and revocation, each failure in the words staff read. The desktop keeps
//! the session in memory; the records server relays the browser's sign-in through the same
//! code and keeps nothing (the challenge's session string travels with the client).

mod cognito_sign_in;
mod error;
mod mfa_setup;
mod password_policy;
mod session;
mod srp;
mod token_refresh;

pub use cognito_sign_in::{ChallengeKind, PendingChallenge, SignInStep, UserPool};
pub use error::{AuthError, AuthFailureKind};
pub use mfa_setup::{enrolment_for, AuthenticatorEnrolment};
pub use password_policy::PasswordPolicy;
pub use session::{Session, Tokens};
pub use srp::SrpAttempt;

use serde::{Deserialize, Serialize};

/// How the app signs users in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthFlow {
    /// USER_SRP_AUTH, as AWS recommends: the password never leaves the machine.
    #[default]
    Srp,
    /// USER_PASSWORD_AUTH, only for pools that require it (and the local cloud, whose SRP
    /// never checks the password).
    Password,
}
