//! Verifies Cognito tokens against the pool's published keys (JWKS): RS256 only, known `kid`,
//! issuer, our app client (`aud` in ID tokens, `client_id` in access tokens), expiry against the
//! injected clock, and `token_use` (`id` for the desktop's own session, `access` for the
//! records server). An unknown `kid` triggers a refetch (Cognito rotates keys) at most once per
//! minute, then is refused: a flood of made-up `kid`s must not become a flood of JWKS fetches.
//! While no keys are held (a cold start, the pool unreachable), a failed fetch is retried at
//! most once per `RETRY_AFTER_FAILURE_SECONDS`, requests in between answering "unavailable" at
//! once: a cold instance must not turn every request into a fetch that Cognito then throttles
//! (review L3). One fetch runs at a time; requests that missed together share its result.

use std::future::Future;
use std::pin::Pin;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use time::OffsetDateTime;
use tokio::sync::{Mutex, RwLock};

use super::{AccessClaims, IdClaims};

/// Clock skew tolerated on `exp`, as Cognito's own SDKs do.
const LEEWAY_SECONDS: i64 = 60;

/// The least time between two fetches of keys we already hold (an unknown `kid`).
const MIN_REFETCH_SECONDS: i64 = 60;

/// The least time between two fetches while no keys are held, after one failed.
const RETRY_AFTER_FAILURE_SECONDS: i64 = 5;

/// Cognito's `kid`s are base64 (about 44 characters); anything else is not worth a fetch.
fn plausible_kid(kid: &str) -> bool {
    (1..=128).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed or uses a refused algorithm")]
    Malformed,
    #[error("the token was signed by a key the user pool does not publish")]
    UnknownKey,
    #[error("the token's signature or claims are invalid")]
    Invalid,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not the kind this call takes (ID vs access token)")]
    WrongUse,
    #[error("the user pool's keys could not be fetched")]
    KeysUnavailable,
    /// Signed and unexpired, but the pool no longer honours it: signed out, or the user was
    /// disabled or deleted (checked by the records server, not by the signature).
    #[error("the session has ended")]
    Revoked,
    /// The token names a group its user has since left: a renewed token carries the groups now.
    #[error("your roles have changed since you signed in")]
    GroupsChanged,
}

type KeysFuture = Pin<Box<dyn Future<Output = Result<JwkSet, TokenError>> + Send>>;
/// Where the keys come from: the pool's JWKS URL in the app, a fixed set in unit tests.
pub type KeySource = Box<dyn Fn() -> KeysFuture + Send + Sync>;

pub struct TokenVerifier {
    issuer: String,
    client_id: String,
    source: KeySource,
    keys: RwLock<Option<JwkSet>>,
    /// When keys were last fetched for an unknown `kid` (by the injected clock).
    last_refetch: std::sync::Mutex<Option<OffsetDateTime>>,
    /// When a fetch last failed while no keys were held (by the injected clock).
    last_failure: std::sync::Mutex<Option<OffsetDateTime>>,
    /// Held while fetching, so concurrent misses make one fetch, not one each.
    fetching: Mutex<()>,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// The `iss` Cognito puts in tokens. moto uses the real AWS host too (ARCHITECTURE.md §7).
pub fn cognito_issuer(region: &str, pool_id: &str) -> String {
    format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
}

/// Fetches `{base}/.well-known/jwks.json` (base: the issuer, or the local cloud's pool URL).
pub fn http_key_source(http: reqwest::Client, base: String) -> KeySource {
    Box::new(move || {
        let http = http.clone();
        let url = format!("{}/.well-known/jwks.json", base.trim_end_matches('/'));
        Box::pin(async move {
            let res = http
                .get(url)
                .send()
                .await
                .map_err(|_| TokenError::KeysUnavailable)?;
            if !res.status().is_success() {
                return Err(TokenError::KeysUnavailable);
            }
            res.json::<JwkSet>()
                .await
                .map_err(|_| TokenError::KeysUnavailable)
        })
    })
}

impl TokenVerifier {
    pub fn new(issuer: String, client_id: String, source: KeySource) -> Self {
        Self {
            issuer,
            client_id,
            source,
            keys: RwLock::new(None),
            last_refetch: std::sync::Mutex::new(None),
            last_failure: std::sync::Mutex::new(None),
            fetching: Mutex::new(()),
        }
    }

    pub async fn verify_id_token(
        &self,
        jwt: &str,
        now: OffsetDateTime,
    ) -> Result<IdClaims, TokenError> {
        let mut validation = self.validation(&["exp", "iss", "aud"]);
        validation.set_audience(&[&self.client_id]);
        let claims: IdClaims = self.decode_signed(jwt, &validation, now).await?;
        check_use_and_expiry(claims.token_use.as_deref(), "id", claims.exp, now)?;
        Ok(claims)
    }

    /// An access token, as the records server receives it: the same signature, issuer and
    /// expiry checks; the app client is in `client_id` (access tokens carry no `aud`).
    pub async fn verify_access_token(
        &self,
        jwt: &str,
        now: OffsetDateTime,
    ) -> Result<AccessClaims, TokenError> {
        let mut validation = self.validation(&["exp", "iss"]);
        validation.validate_aud = false;
        let claims: AccessClaims = self.decode_signed(jwt, &validation, now).await?;
        check_use_and_expiry(claims.token_use.as_deref(), "access", claims.exp, now)?;
        if claims.client_id.as_deref() != Some(self.client_id.as_str()) {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }

    /// RS256 from our issuer; expiry is checked by the caller against the injected clock.
    fn validation(&self, required: &[&str]) -> Validation {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(required);
        validation.validate_exp = false;
        validation
    }

    /// The claims of a token signed with one of the pool's keys (RS256, known `kid`).
    async fn decode_signed<T: serde::de::DeserializeOwned>(
        &self,
        jwt: &str,
        validation: &Validation,
        now: OffsetDateTime,
    ) -> Result<T, TokenError> {
        let header = decode_header(jwt).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::Malformed);
        }
        let kid = header.kid.ok_or(TokenError::Malformed)?;
        if !plausible_kid(&kid) {
            return Err(TokenError::Malformed);
        }
        let key = self.key_for(&kid, now).await?;
        decode::<T>(jwt, &key, validation)
            .map(|data| data.claims)
            .map_err(|_| TokenError::Invalid)
    }

    /// A known `kid` from the cache. An unknown one refetches the keys, but while keys are held
    /// at most once per `MIN_REFETCH_SECONDS` (a rotation is still picked up within a minute);
    /// with none held, at once, then after a failure at most once per
    /// `RETRY_AFTER_FAILURE_SECONDS`. Requests with known keys never wait for a fetch.
    async fn key_for(&self, kid: &str, now: OffsetDateTime) -> Result<DecodingKey, TokenError> {
        if let Some(key) = self.cached_key(kid).await? {
            return Ok(key);
        }
        let _fetching = self.fetching.lock().await;
        // Another request may have fetched them while this one waited.
        if let Some(key) = self.cached_key(kid).await? {
            return Ok(key);
        }
        let held = self.keys.read().await.is_some();
        if held {
            if !claim_slot(&self.last_refetch, now, MIN_REFETCH_SECONDS) {
                return Err(TokenError::UnknownKey);
            }
        } else if recent(&self.last_failure, now, RETRY_AFTER_FAILURE_SECONDS) {
            return Err(TokenError::KeysUnavailable);
        }
        let fresh = match (self.source)().await {
            Ok(fresh) => fresh,
            Err(e) => {
                if !held {
                    *lock(&self.last_failure) = Some(now);
                }
                return Err(e);
            }
        };
        *self.keys.write().await = Some(fresh);
        self.cached_key(kid).await?.ok_or(TokenError::UnknownKey)
    }

    async fn cached_key(&self, kid: &str) -> Result<Option<DecodingKey>, TokenError> {
        let keys = self.keys.read().await;
        match keys.as_ref().and_then(|set| set.find(kid)) {
            Some(jwk) => DecodingKey::from_jwk(jwk)
                .map(Some)
                .map_err(|_| TokenError::UnknownKey),
            None => Ok(None),
        }
    }
}

fn lock(
    slot: &std::sync::Mutex<Option<OffsetDateTime>>,
) -> std::sync::MutexGuard<'_, Option<OffsetDateTime>> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether the time in `slot` is less than `seconds` from now (either way: a clock that went
/// back must not open the gate).
fn recent(
    slot: &std::sync::Mutex<Option<OffsetDateTime>>,
    now: OffsetDateTime,
    seconds: i64,
) -> bool {
    (*lock(slot)).is_some_and(|t| (now - t).whole_seconds().abs() < seconds)
}

/// Takes the slot for a fetch now unless one was taken less than `seconds` ago.
fn claim_slot(
    slot: &std::sync::Mutex<Option<OffsetDateTime>>,
    now: OffsetDateTime,
    seconds: i64,
) -> bool {
    let mut last = lock(slot);
    if (*last).is_some_and(|t| (now - t).whole_seconds().abs() < seconds) {
        return false;
    }
    *last = Some(now);
    true
}

fn check_use_and_expiry(
    token_use: Option<&str>,
    wanted: &str,
    exp: i64,
    now: OffsetDateTime,
) -> Result<(), TokenError> {
    if token_use != Some(wanted) {
        return Err(TokenError::WrongUse);
    }
    if now.unix_timestamp() > exp + LEEWAY_SECONDS {
        return Err(TokenError::Expired);
    }
    Ok(())
}

/// The verifier for one pool's app client. Keys come from the pool's JWKS: on the local cloud
/// (`endpoint`) at `{endpoint}/{pool}`, whose tokens still name the AWS issuer (ARCHITECTURE.md §7);
/// in AWS at the issuer.
pub fn pool_verifier(
    region: &str,
    pool_id: &str,
    client_id: &str,
    endpoint: Option<&str>,
) -> TokenVerifier {
    let issuer = cognito_issuer(region, pool_id);
    let keys_base = match endpoint {
        Some(endpoint) => format!("{}/{pool_id}", endpoint.trim_end_matches('/')),
        None => issuer.clone(),
    };
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(3))
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .unwrap_or_default();
    TokenVerifier::new(
        issuer,
        client_id.to_string(),
        http_key_source(http, keys_base),
    )
}

#[cfg(test)]
#[path = "verifier_tests.rs"]
mod tests;
