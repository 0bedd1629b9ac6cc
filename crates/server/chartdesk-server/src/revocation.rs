//! Whether a verified access token still stands (review M8). A signature and an `exp` cannot
//! say that the user signed out, was disabled or left a group since the token was issued, so
//! the server asks the user pool, at most once per token and once per user within
//! `max_age` (60 s by default, `CHARTDESK_SESSION_CHECK_SECONDS`):
//! - `GetUser` with the token itself fails once it is revoked (sign-out: RevokeToken or
//!   GlobalSignOut), the user is disabled or deleted. Token-authorised: no IAM permission.
//! - `AdminListGroupsForUser` gives the user's groups now (GetUser does not carry them); a
//!   token naming a group the user has left is refused, so the client renews it and gets the
//!   current groups. Needs `cognito-idp:AdminListGroupsForUser` on the pool.
//!
//! Cost: on a cold cache both calls run together (one round trip to Cognito added); then one
//! GetUser per token and one AdminListGroupsForUser per user per `max_age`, per server instance
//! (on Lambda each instance keeps its own cache). The cache holds a digest of each token, never
//! the token.

use aws_sdk_cognitoidentityprovider::Client;
use chartdesk_records::store::{classify, Failure};
use chartdesk_records::token::{AccessClaims, TokenError, TokenVerifier};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::error::ApiError;
use crate::fresh_cache::FreshCache;

/// The longest a check may be reused: the bound the issue sets for a change to take effect.
pub const MAX_CHECK_AGE_SECONDS: u32 = 60;

/// Enough for every member of staff several times over; past it, stale entries are dropped.
const MAX_ENTRIES: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Current,
    Ended,
}

pub struct SessionCheck {
    cognito: Client,
    pool_id: String,
    tokens: FreshCache<[u8; 32], Standing>,
    groups: FreshCache<String, Vec<String>>,
}

impl SessionCheck {
    pub fn new(cognito: Client, pool_id: String, max_age: Duration) -> Self {
        Self {
            cognito,
            pool_id,
            tokens: FreshCache::new(max_age, MAX_ENTRIES),
            groups: FreshCache::new(max_age, MAX_ENTRIES),
        }
    }

    /// Refuses a token the pool no longer honours, or one naming a group its user has left.
    pub async fn confirm(
        &self,
        token: &str,
        claims: &AccessClaims,
        now: OffsetDateTime,
    ) -> Result<(), ApiError> {
        let digest = digest(token);
        let user = claims.actor();
        let (standing, groups) =
            tokio::join!(self.standing(token, digest, now), self.groups_of(user, now));
        if standing? == Standing::Ended {
            return Err(TokenError::Revoked.into());
        }
        let Some(groups) = groups? else {
            return Err(TokenError::Revoked.into());
        };
        if claims.groups.iter().any(|g| !groups.contains(g)) {
            return Err(TokenError::GroupsChanged.into());
        }
        Ok(())
    }

    /// The token's standing, from the cache or (stored then, so a cached answer's age is never
    /// reset) from the pool.
    async fn standing(
        &self,
        token: &str,
        digest: [u8; 32],
        now: OffsetDateTime,
    ) -> Result<Standing, ApiError> {
        if let Some(known) = self.tokens.get(&digest, now) {
            return Ok(known);
        }
        let standing = self.ask_standing(token).await?;
        self.tokens.put(digest, standing, now);
        Ok(standing)
    }

    async fn groups_of(
        &self,
        user: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Vec<String>>, ApiError> {
        if let Some(known) = self.groups.get(&user.to_string(), now) {
            return Ok(Some(known));
        }
        let groups = self.ask_groups(user).await?;
        if let Some(groups) = &groups {
            self.groups.put(user.to_string(), groups.clone(), now);
        }
        Ok(groups)
    }

    /// After this server's own sign-out: the token is refused here at once. Only a token that
    /// verifies (signed by the pool for our app client, unexpired) is recorded: anyone may call
    /// sign-out, and made-up bearer strings must not fill the cache. Says whether it verified.
    pub async fn forget(&self, verifier: &TokenVerifier, token: &str, now: OffsetDateTime) -> bool {
        if verifier.verify_access_token(token, now).await.is_err() {
            return false;
        }
        self.tokens.put(digest(token), Standing::Ended, now);
        true
    }

    async fn ask_standing(&self, token: &str) -> Result<Standing, ApiError> {
        match self.cognito.get_user().access_token(token).send().await {
            Ok(_) => Ok(Standing::Current),
            Err(e) => match classify(e) {
                f if ended(&f) => Ok(Standing::Ended),
                f => Err(unconfirmed("get_user", &f)),
            },
        }
    }

    /// The user's groups now; `None` when the user no longer exists.
    async fn ask_groups(&self, user: &str) -> Result<Option<Vec<String>>, ApiError> {
        let mut groups = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let answer = self
                .cognito
                .admin_list_groups_for_user()
                .user_pool_id(&self.pool_id)
                .username(user)
                .set_next_token(next.take())
                .send()
                .await;
            let page = match answer {
                Ok(page) => page,
                Err(e) => match classify(e) {
                    f if f.code() == Some("UserNotFoundException") => return Ok(None),
                    f => return Err(unconfirmed("admin_list_groups_for_user", &f)),
                },
            };
            groups.extend(
                page.groups()
                    .iter()
                    .filter_map(|g| g.group_name().map(str::to_string)),
            );
            match page.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_string()),
                _ => return Ok(Some(groups)),
            }
        }
    }
}

/// Cognito's answers for a revoked or expired token, a disabled or a deleted user.
fn ended(f: &Failure) -> bool {
    matches!(
        f.code(),
        Some("NotAuthorizedException" | "UserNotFoundException")
    )
}

/// The pool could not answer: the request is refused (fail closed), logged by kind only.
fn unconfirmed(call: &'static str, f: &Failure) -> ApiError {
    let status = f.status().unwrap_or_default();
    let reachable = *f != Failure::Unreachable;
    tracing::warn!(call, status, reachable, "session check failed");
    ApiError::SessionUnconfirmed
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
    use base64::Engine;
    use chartdesk_records::token::{JwkSet, KeySource};

    use super::*;

    const JWKS: &str =
        include_str!("../../../shared/chartdesk-records/tests/fixtures/jwt-test-jwks.json");
    const ISS: &str = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_test";
    const NOW: i64 = 1_800_000_000;

    /// Never called here: recording a sign-out asks nothing of the pool.
    fn offline_pool() -> Client {
        let config = aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-2"))
            .build();
        Client::from_conf(config)
    }

    fn verifier() -> TokenVerifier {
        let source: KeySource = Box::new(|| {
            Box::pin(async {
                serde_json::from_str::<JwkSet>(JWKS).map_err(|_| TokenError::KeysUnavailable)
            })
        });
        TokenVerifier::new(ISS.into(), "test-client".into(), source)
    }

    /// An access token in every way but its signature: the right key id, issuer and client.
    fn unsigned_token() -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let claims = serde_json::json!({
            "iss": ISS, "client_id": "test-client", "exp": NOW + 3600, "token_use": "access",
            "sub": "0000-sub", "username": "dr.okafor"
        });
        format!(
            "{}.{}.{}",
            enc.encode(r#"{"alg":"RS256","kid":"test-key-1","typ":"JWT"}"#),
            enc.encode(claims.to_string()),
            enc.encode([7u8; 256])
        )
    }

    #[tokio::test]
    async fn a_sign_out_with_a_bearer_the_pool_did_not_sign_records_nothing() {
        let check = SessionCheck::new(offline_pool(), "eu-west-2_test".into(), Duration::MINUTE);
        let now = OffsetDateTime::from_unix_timestamp(NOW).unwrap();
        let verifier = verifier();
        for bearer in ["not-a-token".to_string(), unsigned_token()] {
            assert!(!check.forget(&verifier, &bearer, now).await);
            assert_eq!(check.tokens.get(&digest(&bearer), now), None, "{bearer}");
        }
    }
}
