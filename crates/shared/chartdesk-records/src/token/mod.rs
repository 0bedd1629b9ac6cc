//! Cognito tokens, verified against the pool's published keys before any claim is trusted.

mod claims;
mod verifier;

pub use claims::{AccessClaims, IdClaims};
/// What a `KeySource` yields: the pool's published keys.
pub use jsonwebtoken::jwk::JwkSet;
pub use verifier::{
    cognito_issuer, http_key_source, pool_verifier, KeySource, TokenError, TokenVerifier,
};
