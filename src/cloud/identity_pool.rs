//! Production S3 credentials: temporary AWS credentials for the signed-in user from a Cognito
//! identity pool (GetId + GetCredentialsForIdentity with the user's ID token), so S3 access is
//! the user's group role, never a shared key on the workstation.
//!
//! The SDK's own credential cache is switched off for these clients: credentials here are
//! cached per ID token, so a different user signing in never reuses the last user's role.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;
use tokio::sync::Mutex;

use super::classify;

/// Refresh credentials this long before they expire.
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);

/// The signed-in user's ID token, shared between the session and the credential provider.
#[derive(Clone, Default)]
pub struct IdTokenSlot(Arc<RwLock<Option<String>>>);

impl IdTokenSlot {
    pub fn set(&self, token: Option<String>) {
        if let Ok(mut slot) = self.0.write() {
            *slot = token;
        }
    }

    fn get(&self) -> Option<String> {
        self.0.read().ok().and_then(|t| t.clone())
    }
}

impl std::fmt::Debug for IdTokenSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdTokenSlot(<redacted>)")
    }
}

#[derive(Debug)]
pub struct IdentityPoolCredentials {
    client: aws_sdk_cognitoidentity::Client,
    identity_pool_id: String,
    /// `cognito-idp.{region}.amazonaws.com/{user_pool_id}`: the login the pool trusts.
    login_provider: String,
    id_token: IdTokenSlot,
    cache: Mutex<Option<Cached>>,
}

struct Cached {
    id_token: String,
    identity_id: String,
    credentials: Credentials,
}

impl std::fmt::Debug for Cached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cached(<redacted>)")
    }
}

impl IdentityPoolCredentials {
    pub fn new(
        client: aws_sdk_cognitoidentity::Client,
        identity_pool_id: String,
        login_provider: String,
        id_token: IdTokenSlot,
    ) -> Self {
        Self {
            client,
            identity_pool_id,
            login_provider,
            id_token,
            cache: Mutex::new(None),
        }
    }

    /// The Cognito identity of the current credentials, once fetched.
    pub async fn identity_id(&self) -> Option<String> {
        self.cache
            .lock()
            .await
            .as_ref()
            .map(|c| c.identity_id.clone())
    }

    async fn load(&self) -> provider::Result {
        let token = self
            .id_token
            .get()
            .ok_or_else(|| CredentialsError::not_loaded("no user is signed in"))?;
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref() {
            let fresh = c
                .credentials
                .expiry()
                .is_some_and(|e| e > SystemTime::now() + EXPIRY_MARGIN);
            if c.id_token == token && fresh {
                return Ok(c.credentials.clone());
            }
        }
        let logins = HashMap::from([(self.login_provider.clone(), token.clone())]);
        let identity_id = match cache.as_ref().filter(|c| c.id_token == token) {
            Some(c) => c.identity_id.clone(),
            None => self
                .client
                .get_id()
                .identity_pool_id(&self.identity_pool_id)
                .set_logins(Some(logins.clone()))
                .send()
                .await
                .map_err(|e| CredentialsError::provider_error(classify(e).to_string()))?
                .identity_id()
                .ok_or_else(|| CredentialsError::unhandled("GetId returned no identity"))?
                .to_string(),
        };
        let out = self
            .client
            .get_credentials_for_identity()
            .identity_id(&identity_id)
            .set_logins(Some(logins))
            .send()
            .await
            .map_err(|e| CredentialsError::provider_error(classify(e).to_string()))?;
        let c = out
            .credentials()
            .ok_or_else(|| CredentialsError::unhandled("no credentials returned"))?;
        let (Some(key), Some(secret)) = (c.access_key_id(), c.secret_key()) else {
            return Err(CredentialsError::unhandled(
                "incomplete credentials returned",
            ));
        };
        let expiry = c.expiration().and_then(|t| SystemTime::try_from(*t).ok());
        let credentials = Credentials::new(
            key,
            secret,
            c.session_token().map(str::to_string),
            expiry,
            "cognito-identity-pool",
        );
        *cache = Some(Cached {
            id_token: token,
            identity_id,
            credentials: credentials.clone(),
        });
        Ok(credentials)
    }
}

impl ProvideCredentials for IdentityPoolCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.load())
    }
}
