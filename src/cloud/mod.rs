//! AWS SDK clients for one profile: the same code for the local cloud and real AWS.

mod identity_pool;
pub mod records_server;

pub use chartdesk_records::store::{object_store, part_journal, transfer};

use std::time::Duration;

use std::sync::Arc;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;

use crate::config::Profile;

pub use chartdesk_records::store::{classify, Failure};
pub use chartdesk_records::store::{ObjectStore, Progress, StoreError};
pub use identity_pool::{IdTokenSlot, IdentityPoolCredentials};
pub use records_server::{RecordsServer, ServerError};

/// The credentials the local cloud accepts (moto checks none; s3s-fs checks these).
pub const SANDBOX_ACCESS_KEY: &str = "chartdesk-sandbox";
pub const SANDBOX_SECRET_KEY: &str = "chartdesk-sandbox-secret";

/// The SDK clients Chartdesk uses, built once at start-up.
#[derive(Clone, Debug)]
pub struct CloudClients {
    pub s3: aws_sdk_s3::Client,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    /// The signed-in user's ID token, for identity-pool credentials (ignored without a pool).
    pub id_token: IdTokenSlot,
    /// Per-user S3 credentials, when the profile names an identity pool.
    pub identity_pool: Option<Arc<IdentityPoolCredentials>>,
}

impl CloudClients {
    pub async fn new(profile: &Profile) -> Self {
        let shared = shared_config(profile).await;
        let mut s3 = aws_sdk_s3::config::Builder::from(&shared);
        if profile.endpoint.is_some() {
            // Loopback hosts have no bucket subdomains.
            s3 = s3.force_path_style(true);
        }
        let id_token = IdTokenSlot::default();
        let identity_pool = profile.identity_pool_id.as_ref().map(|pool| {
            Arc::new(IdentityPoolCredentials::new(
                aws_sdk_cognitoidentity::Client::new(&shared),
                pool.clone(),
                format!(
                    "cognito-idp.{}.amazonaws.com/{}",
                    profile.region, profile.user_pool_id
                ),
                id_token.clone(),
            ))
        });
        if let Some(provider) = &identity_pool {
            let provider: Arc<dyn ProvideCredentials> = provider.clone();
            // Cached per ID token by the provider; the SDK's cache would outlive a user switch.
            s3 = s3
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .identity_cache(aws_sdk_s3::config::IdentityCache::no_cache());
        }
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            cognito: aws_sdk_cognitoidentityprovider::Client::new(&shared),
            id_token,
            identity_pool,
        }
    }

    pub fn store(&self, profile: &Profile) -> ObjectStore {
        ObjectStore::new(self.s3.clone(), profile.bucket.clone())
    }
}

/// Explicit timeouts: a hospital network that drops must surface as an error in seconds,
/// not a spinner that never ends.
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(120))
        .build()
}

async fn shared_config(profile: &Profile) -> aws_config::SdkConfig {
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(profile.region.clone()))
        .timeout_config(timeouts());
    match &profile.endpoint {
        Some(endpoint) => {
            loader
                .endpoint_url(endpoint)
                .credentials_provider(Credentials::new(
                    SANDBOX_ACCESS_KEY,
                    SANDBOX_SECRET_KEY,
                    None,
                    None,
                    "chartdesk-sandbox",
                ))
                .load()
                .await
        }
        // Real AWS: Cognito needs no credentials; S3 gets identity-pool credentials when the
        // profile names a pool, else the workstation's default chain.
        None => loader.load().await,
    }
}
