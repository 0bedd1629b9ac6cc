//! Sign-in against the Cognito user pool and the in-memory session.

mod claims;
mod error;
mod password_sign_in;
mod session;

pub use claims::{ClaimsError, IdClaims};
pub use error::AuthError;
pub use password_sign_in::sign_in_with_password;
pub use session::{Session, Tokens};
