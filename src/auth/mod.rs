//! Sign-in against the Cognito user pool and the in-memory session.

mod claims;
mod cognito_sign_in;
mod error;
mod password_policy;
mod session;

pub use claims::{ClaimsError, IdClaims};
pub use cognito_sign_in::{
    answer_new_password, start_password_sign_in, PendingChallenge, SignInStep,
};
pub use error::AuthError;
pub use password_policy::PasswordPolicy;
pub use session::{Session, Tokens};
