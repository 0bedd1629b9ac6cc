//! AWS SDK clients for one profile: the same code for the local cloud and real AWS.

pub mod fhir_export;
pub mod records_server;
mod server_documents;
pub mod upload_intents;

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;

use crate::config::Profile;
use chartdesk_records::store::ObjectStore;

pub use records_server::{RecordsServer, ServerError};

/// The credentials the local cloud accepts (moto checks none; s3s-fs checks these).
pub const SANDBOX_ACCESS_KEY: &str = "chartdesk-sandbox";
pub const SANDBOX_SECRET_KEY: &str = "chartdesk-sandbox-secret";

/// The Cognito client the desktop and the CLI sign in with: the only AWS service they call
/// (everything else goes through the records server, with presigned URLs for the bytes).
pub async fn cognito_client(profile: &Profile) -> aws_sdk_cognitoidentityprovider::Client {
    aws_sdk_cognitoidentityprovider::Client::new(&shared_config(profile).await)
}

/// The SDK clients `chartdesk sandbox up` provisions the local cloud with (an admin's tool:
/// the app itself never holds AWS credentials).
#[derive(Clone, Debug)]
pub struct CloudClients {
    pub s3: aws_sdk_s3::Client,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    /// Their shared settings, for another service's client (the sandbox's queue).
    pub shared: aws_config::SdkConfig,
}

impl CloudClients {
    pub async fn new(profile: &Profile) -> Self {
        let shared = shared_config(profile).await;
        let mut s3 = aws_sdk_s3::config::Builder::from(&shared);
        if profile.endpoint.is_some() {
            // Loopback hosts have no bucket subdomains.
            s3 = s3.force_path_style(true);
        }
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            cognito: aws_sdk_cognitoidentityprovider::Client::new(&shared),
            shared,
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
        // Real AWS: signing in to Cognito needs no credentials, and the app uses no others.
        None => loader.no_credentials().load().await,
    }
}
