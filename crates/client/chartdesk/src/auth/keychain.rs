//! The refresh token's only home on disk: the OS keychain (Keychain, Credential Manager,
//! Secret Service; or the kernel keyring where configured, e.g. in headless tests).
//! There is no plain-text fallback: without a keychain, staying signed in is refused.

use serde::{Deserialize, Serialize};

const SERVICE: &str = "org.chartdesk.desktop";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeychainBackend {
    /// The platform's own store (on Linux: the Secret Service, GNOME Keyring or KWallet).
    #[default]
    Platform,
    /// Linux kernel keyutils session keyring: headless machines and tests. Not persistent.
    Keyutils,
}

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("Chartdesk keeps your sign-in and the key of your offline copy in the system keychain, and none is available. On Linux, install and unlock GNOME Keyring (package gnome-keyring) or KWallet, then sign in again")]
    Unavailable,
    #[error("The system keychain refused access to Chartdesk's sign-in entry")]
    Refused,
}

/// Refresh tokens per profile and user, plus which user of a profile signed in last.
/// Entries are scoped by the app client too: a token belongs to one client of one pool, and a
/// re-provisioned sandbox (new pool, new client) must not find the old pool's tokens.
#[derive(Debug, Clone)]
pub struct RefreshTokenVault {
    scope: String,
    backend: KeychainBackend,
}

impl RefreshTokenVault {
    pub fn new(profile: &str, client_id: &str, backend: KeychainBackend) -> Self {
        Self {
            scope: format!("{profile}/{client_id}"),
            backend,
        }
    }

    pub async fn save(&self, username: &str, refresh_token: &str) -> Result<(), KeychainError> {
        self.write(&self.token_account(username), refresh_token.to_string())
            .await?;
        self.write(&self.last_user_account(), username.to_string())
            .await
    }

    /// The last signed-in user and their refresh token, if both are still there.
    pub async fn last_session(&self) -> Result<Option<(String, String)>, KeychainError> {
        let Some(username) = self.read(&self.last_user_account()).await? else {
            return Ok(None);
        };
        let token = self.read(&self.token_account(&username)).await?;
        Ok(token.map(|t| (username, t)))
    }

    /// Removes the user's token, the lock marker and the last-user pointer. Missing entries are fine.
    pub async fn forget(&self, username: &str) -> Result<(), KeychainError> {
        self.delete(&self.token_account(username)).await?;
        self.delete(&self.unlock_account(username)).await?;
        self.delete(&self.locked_account(username)).await?;
        self.delete(&self.unlock_failures_account(username)).await?;
        self.delete(&self.last_user_account()).await
    }

    /// Marks (or unmarks) the user's session as locked, so a restart cannot skip the lock.
    pub async fn set_locked(&self, username: &str, locked: bool) -> Result<(), KeychainError> {
        let account = self.locked_account(username);
        if locked {
            self.write(&account, "locked".into()).await
        } else {
            self.delete(&account).await
        }
    }

    pub async fn is_locked(&self, username: &str) -> Result<bool, KeychainError> {
        Ok(self.read(&self.locked_account(username)).await?.is_some())
    }

    /// The Argon2id verifier for unlocking the idle lock with no network (see offline_unlock).
    pub async fn unlock_verifier(&self, username: &str) -> Result<Option<String>, KeychainError> {
        self.read(&self.unlock_account(username)).await
    }

    pub async fn save_unlock_verifier(
        &self,
        username: &str,
        verifier: String,
    ) -> Result<(), KeychainError> {
        self.write(&self.unlock_account(username), verifier).await
    }

    /// Wrong offline unlock passwords so far (see `offline_unlock::Failures`).
    pub async fn unlock_failures(&self, username: &str) -> Result<Option<String>, KeychainError> {
        self.read(&self.unlock_failures_account(username)).await
    }

    pub async fn save_unlock_failures(
        &self,
        username: &str,
        failures: Option<String>,
    ) -> Result<(), KeychainError> {
        let account = self.unlock_failures_account(username);
        match failures {
            Some(f) => self.write(&account, f).await,
            None => self.delete(&account).await,
        }
    }

    fn unlock_failures_account(&self, username: &str) -> String {
        format!("{}/{username}/offline-unlock-failures", self.scope)
    }

    fn unlock_account(&self, username: &str) -> String {
        format!("{}/{username}/offline-unlock", self.scope)
    }

    /// The user's offline-cache key (hex), if one was made on this machine.
    pub async fn cache_key(&self, username: &str) -> Result<Option<String>, KeychainError> {
        self.read(&self.cache_key_account(username)).await
    }

    pub async fn save_cache_key(&self, username: &str, hex: String) -> Result<(), KeychainError> {
        self.write(&self.cache_key_account(username), hex).await
    }

    /// Cache keys are scoped by profile only: a re-provisioned pool must not orphan the
    /// outbox. Sign-out keeps it (uploads may still be waiting).
    fn cache_key_account(&self, username: &str) -> String {
        let profile = self.scope.split('/').next().unwrap_or_default();
        format!("{profile}/cache/{username}/cache-key")
    }

    fn locked_account(&self, username: &str) -> String {
        format!("{}/{username}/locked", self.scope)
    }

    fn token_account(&self, username: &str) -> String {
        format!("{}/{username}/refresh-token", self.scope)
    }

    fn last_user_account(&self) -> String {
        format!("{}/last-user", self.scope)
    }

    async fn write(&self, account: &str, secret: String) -> Result<(), KeychainError> {
        let entry = self.entry(account)?;
        blocking(move || entry.set_password(&secret)).await
    }

    async fn read(&self, account: &str) -> Result<Option<String>, KeychainError> {
        let entry = self.entry(account)?;
        blocking(move || match entry.get_password() {
            Err(keyring::Error::NoEntry) => Ok(None),
            other => other.map(Some),
        })
        .await
    }

    async fn delete(&self, account: &str) -> Result<(), KeychainError> {
        let entry = self.entry(account)?;
        blocking(move || match entry.delete_credential() {
            Err(keyring::Error::NoEntry) => Ok(()),
            other => other,
        })
        .await
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        match self.backend {
            KeychainBackend::Platform => keyring::Entry::new(SERVICE, account).map_err(map_error),
            #[cfg(target_os = "linux")]
            KeychainBackend::Keyutils => {
                keyring::keyutils::KeyutilsCredential::new_with_target(None, SERVICE, account)
                    .map(|c| keyring::Entry::new_with_credential(Box::new(c)))
                    .map_err(map_error)
            }
            #[cfg(not(target_os = "linux"))]
            KeychainBackend::Keyutils => Err(KeychainError::Unavailable),
        }
    }
}

/// Keychain calls block (D-Bus, syscalls): keep them off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, KeychainError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(map_error),
        Err(_) => Err(KeychainError::Unavailable),
    }
}

fn map_error(e: keyring::Error) -> KeychainError {
    match e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            KeychainError::Unavailable
        }
        _ => KeychainError::Refused,
    }
}
