//! What every handler shares, built once before serving: the token verifier (with its JWKS
//! cache), the record stores and the clock.

use std::sync::Arc;
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use chartdesk_domain::MrnFormat;
use chartdesk_records::store::{ObjectStore, RecordStore};
use chartdesk_records::token::{pool_verifier, TokenVerifier};
use chartdesk_signin::{AuthFlow, PasswordPolicy, UserPool};
use time::OffsetDateTime;

use crate::config::ServerConfig;
use crate::rate_limit::SignInLimits;
use crate::revocation::SessionCheck;

/// A clock passed in, so expiry and audit times are testable.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

#[derive(Clone)]
pub struct AppState {
    pub verifier: Arc<TokenVerifier>,
    /// The records bucket: every read, write and presigned URL goes through it (S3 in
    /// production, in memory in the router tests).
    pub store: Arc<dyn RecordStore>,
    pub audit: Arc<dyn RecordStore>,
    pub clock: Clock,
    pub mrn_format: Arc<MrnFormat>,
    pub max_upload_bytes: u64,
    /// Up to this many bytes a file goes up in one PUT (published in `/v1/client-config`).
    pub multipart_threshold: u64,
    /// The most one export ZIP the server writes (for a browser) may hold.
    pub max_export_bytes: u64,
    /// On the local cloud (moto), whose checksums read differently from S3's (verify.rs).
    pub local_cloud: bool,
    /// The browser's sign-in, relayed to the user pool.
    pub sign_in: Arc<SignInRelay>,
    /// What the browser is served and may call from where.
    pub web: Arc<WebSettings>,
    /// Whether a verified token still stands (signed out, disabled, groups left).
    pub sessions: Arc<SessionCheck>,
    /// Failed and repeated sign-in attempts, per user name and per client address.
    pub limits: Arc<SignInLimits>,
    /// The FHIR API's settings (the trust's MRN system).
    pub fhir: Arc<crate::config_fhir::FhirSettings>,
    /// Where FHIR subscriptions may send notifications.
    pub subscriber_origins: Arc<crate::subscriber_origins::SubscriberOrigins>,
}

/// The user pool as the relay signs in to it, and the password rules it shows.
pub struct SignInRelay {
    pub pool: UserPool,
    pub flow: AuthFlow,
    /// Read from the pool on first need (a new-password challenge), then kept.
    pub policy: tokio::sync::OnceCell<PasswordPolicy>,
}

pub struct WebSettings {
    pub root: Option<std::path::PathBuf>,
    pub allowed_origins: Vec<String>,
    pub idle_lock_seconds: u32,
    /// The origins presigned URLs point at: the page's CSP lets it fetch from them.
    pub bucket_origins: Vec<String>,
    /// This bucket alone (its host, or its path on the local cloud): the one source the page
    /// may frame, for the hidden frame an export downloads through.
    pub bucket_frame_source: String,
    /// Behind TLS (on Lambda every request came over HTTPS): answers carry HSTS.
    pub behind_tls: bool,
}

/// The SDK settings every client of this process shares: the region, and timeouts within
/// API Gateway's 29 s.
pub async fn sdk_config(config: &ServerConfig) -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(25))
        .build();
    // The SDK reads AWS_ENDPOINT_URL and the credentials from the environment itself.
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(config.region.clone()))
        .timeout_config(timeouts)
        .load()
        .await
}

impl AppState {
    pub async fn new(config: &ServerConfig) -> Self {
        Self::from_sdk(config, &sdk_config(config).await)
    }

    /// As `new`, with SDK settings (credentials, endpoint) given rather than read from the
    /// environment.
    pub fn from_sdk(config: &ServerConfig, shared: &aws_config::SdkConfig) -> Self {
        let mut s3 = aws_sdk_s3::config::Builder::from(shared);
        if config.local_cloud {
            // Loopback hosts have no bucket subdomains.
            s3 = s3.force_path_style(true);
        }
        let s3 = aws_sdk_s3::Client::from_conf(s3.build());
        // Only the local cloud serves the JWKS and the bucket at its own address.
        let local_endpoint = config.endpoint.as_deref().filter(|_| config.local_cloud);
        let verifier = pool_verifier(
            &config.region,
            &config.user_pool_id,
            &config.app_client_id,
            local_endpoint,
        );
        let cognito = aws_sdk_cognitoidentityprovider::Client::new(shared);
        let sessions = SessionCheck::new(
            cognito.clone(),
            config.user_pool_id.clone(),
            time::Duration::seconds(i64::from(config.session_check_seconds)),
        );
        let pool = UserPool {
            cognito,
            pool_id: config.user_pool_id.clone(),
            client_id: config.app_client_id.clone(),
            verifier: pool_verifier(
                &config.region,
                &config.user_pool_id,
                &config.app_client_id,
                local_endpoint,
            ),
        };
        let bucket_frame_source = match local_endpoint {
            Some(endpoint) => format!("{}/{}/", endpoint.trim_end_matches('/'), config.bucket),
            None => format!(
                "https://{}.s3.{}.amazonaws.com",
                config.bucket, config.region
            ),
        };
        // This bucket's own origin only: a region-wide S3 origin would let a script injected
        // into the page send data to any bucket. On AWS the presigner uses virtual-host URLs
        // (`https://{bucket}.s3.{region}.amazonaws.com/...`), which this origin covers.
        let bucket_origins = match local_endpoint {
            Some(endpoint) => vec![endpoint.trim_end_matches('/').to_string()],
            None => vec![format!(
                "https://{}.s3.{}.amazonaws.com",
                config.bucket, config.region
            )],
        };
        Self {
            sign_in: Arc::new(SignInRelay {
                pool,
                flow: config.auth_flow,
                policy: tokio::sync::OnceCell::new(),
            }),
            web: Arc::new(WebSettings {
                root: config.web_root.clone(),
                allowed_origins: config.allowed_origins.clone(),
                idle_lock_seconds: config.idle_lock_seconds,
                bucket_origins,
                bucket_frame_source,
                behind_tls: config.on_lambda,
            }),
            verifier: Arc::new(verifier),
            sessions: Arc::new(sessions),
            limits: Arc::new(SignInLimits::default()),
            subscriber_origins: Arc::new(config.subscriber_origins.clone()),
            // One S3 call that timed out must not fail every later request.
            store: Arc::new(
                ObjectStore::new(s3.clone(), config.bucket.clone()).trying_every_call(),
            ),
            audit: Arc::new(ObjectStore::new(s3, config.audit_bucket.clone()).trying_every_call()),
            // The one real clock; everything else takes the time from here.
            #[allow(clippy::disallowed_methods)]
            clock: Arc::new(OffsetDateTime::now_utc),
            mrn_format: Arc::new(config.mrn_format.clone()),
            max_upload_bytes: config.max_upload_bytes,
            multipart_threshold: config.multipart_threshold,
            max_export_bytes: config.max_export_bytes,
            local_cloud: config.local_cloud,
            fhir: Arc::new(config.fhir.clone()),
        }
    }

    /// The same server over other record stores (the router tests' in-memory ones).
    pub fn with_stores(mut self, store: Arc<dyn RecordStore>, audit: Arc<dyn RecordStore>) -> Self {
        self.store = store;
        self.audit = audit;
        self
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};

    use super::*;

    fn on_aws() -> ServerConfig {
        ServerConfig::from_lookup(|name| {
            let value = match name {
                "CHARTDESK_BUCKET" => "trust-records",
                "CHARTDESK_USER_POOL_ID" => "eu-west-2_pool",
                "CHARTDESK_APP_CLIENT_ID" => "client",
                "AWS_REGION" => "eu-west-2",
                _ => return None,
            };
            Some(value.to_string())
        })
        .unwrap()
    }

    fn sdk() -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .region(Region::new("eu-west-2"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            )))
            .behavior_version(BehaviorVersion::latest())
            .build()
    }

    #[tokio::test]
    async fn on_aws_the_page_may_connect_to_this_bucket_alone_which_presigned_urls_name() {
        let state = AppState::from_sdk(&on_aws(), &sdk());
        let origin = "https://trust-records.s3.eu-west-2.amazonaws.com";
        assert_eq!(state.web.bucket_origins, [origin]);
        let csp = crate::web::content_security_policy(&state.web);
        assert!(!csp.contains("https://s3.eu-west-2.amazonaws.com"), "{csp}");
        let url = crate::presign::get(&state, "patients/10000001/x.pdf")
            .await
            .unwrap();
        assert!(url.starts_with(&format!("{origin}/patients/")), "{url}");
    }
}
