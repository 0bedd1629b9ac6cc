//! The server's settings, from the environment only, so it runs the same way on Lambda and as
//! a local process (the contract: `CHARTDESK_BUCKET`, `CHARTDESK_USER_POOL_ID`,
//! `CHARTDESK_APP_CLIENT_ID`, `AWS_REGION`, `AWS_ENDPOINT_URL` and the SDK's credentials), plus
//! what the browser needs: the UI's folder, the allowed origins and the sign-in flow.

use std::path::PathBuf;

use chartdesk_domain::upload_protocol::{MULTIPART_THRESHOLD, PART_SIZE, SINGLE_PUT_MAX};
use chartdesk_domain::{
    MrnFormat, DEFAULT_IDLE_LOCK_SECONDS, DEFAULT_MAX_BYTES, DEFAULT_MRN_PATTERN,
};
use chartdesk_signin::AuthFlow;

/// A browser export ZIP's ceiling unless configured.
const DEFAULT_MAX_EXPORT_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{0} is not valid")]
    Invalid(&'static str),
    #[error(
        "{0} is no longer supported: files are served only once the virus scanner found them clean"
    )]
    Removed(&'static str),
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bucket: String,
    /// Where audit events go (an Object Lock bucket in AWS); the records bucket by default.
    pub audit_bucket: String,
    pub user_pool_id: String,
    pub app_client_id: String,
    pub region: String,
    /// Another endpoint for every AWS service (`AWS_ENDPOINT_URL`): the local cloud's, or a VPC
    /// or FIPS endpoint; `None` for AWS's own.
    pub endpoint: Option<String>,
    /// The local cloud (moto) and what it needs: USER_PASSWORD_AUTH by default, the JWKS at
    /// `{endpoint}/{pool}`, path-style S3 URLs, moto's checksums (verify.rs) and "sandbox" in
    /// the client settings (`CHARTDESK_LOCAL_CLOUD=true|false`). Unset: only when the endpoint
    /// is a loopback address, so a VPC or FIPS endpoint never turns any of it on.
    pub local_cloud: bool,
    pub mrn_format: MrnFormat,
    pub max_upload_bytes: u64,
    /// Up to this many bytes a file goes up in one PUT (`CHARTDESK_MULTIPART_THRESHOLD_MIB`,
    /// default 64; from one part's size, 8, to S3's single-PUT limit, 5 GiB).
    pub multipart_threshold: u64,
    /// The most one browser export ZIP may hold (`CHARTDESK_MAX_EXPORT_MIB`, default 512): on
    /// Lambda the whole ZIP is read, written and stored within one 29 s request.
    pub max_export_bytes: u64,
    /// How the browser's sign-in is relayed (`CHARTDESK_AUTH_FLOW`: `srp` or `password`);
    /// `password` on the local cloud, whose SRP never checks the password, else `srp`.
    pub auth_flow: AuthFlow,
    /// The built UI to serve at `/` (`CHARTDESK_WEB_ROOT`); none: API only.
    pub web_root: Option<PathBuf>,
    /// Other origins whose pages may call the API (`CHARTDESK_ALLOWED_ORIGINS`, comma-separated).
    pub allowed_origins: Vec<String>,
    /// Idle time before the page locks (`CHARTDESK_IDLE_LOCK_SECONDS`, default 300).
    pub idle_lock_seconds: u32,
    /// How long the pool's word that a token still stands is reused
    /// (`CHARTDESK_SESSION_CHECK_SECONDS`, 0 to 60, default 60; 0 asks on every request).
    pub session_check_seconds: u32,
    /// Running on AWS Lambda (its runtime sets `AWS_LAMBDA_RUNTIME_API`): serve through the
    /// Lambda runtime, behind API Gateway's TLS.
    pub on_lambda: bool,
    /// The processing worker's settings (`processing.rs`).
    pub worker: crate::processing::WorkerConfig,
    /// The FHIR API's settings (`config_fhir.rs`).
    pub fhir: crate::config_fhir::FhirSettings,
    /// Where FHIR subscriptions may send notifications (`subscriber_origins.rs`).
    pub subscriber_origins: crate::subscriber_origins::SubscriberOrigins,
}

impl ServerConfig {
    // The one place the server reads its environment.
    #[allow(clippy::disallowed_methods)]
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let need = |name: &'static str| get(name).ok_or(ConfigError::Missing(name));
        let worker = crate::processing::WorkerConfig::from_lookup(&get)?;
        // The worker alone serves no API: it signs nobody in.
        let need_for_api = |name: &'static str| match worker.worker_only {
            true => Ok(get(name).unwrap_or_default()),
            false => need(name),
        };
        let bucket = need("CHARTDESK_BUCKET")?;
        let mrn_format = MrnFormat::new(
            &get("CHARTDESK_MRN_PATTERN").unwrap_or_else(|| DEFAULT_MRN_PATTERN.to_string()),
        )
        .map_err(|_| ConfigError::Invalid("CHARTDESK_MRN_PATTERN"))?;
        let mib = |name: &'static str, default: u64| match get(name) {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .map(|n| n * 1024 * 1024)
                .ok_or(ConfigError::Invalid(name)),
            None => Ok(default),
        };
        let max_upload_bytes = mib("CHARTDESK_MAX_UPLOAD_MIB", DEFAULT_MAX_BYTES)?;
        let max_export_bytes = mib("CHARTDESK_MAX_EXPORT_MIB", DEFAULT_MAX_EXPORT_BYTES)?;
        let multipart_threshold = Some(mib(
            "CHARTDESK_MULTIPART_THRESHOLD_MIB",
            MULTIPART_THRESHOLD as u64,
        )?)
        .filter(|n| (PART_SIZE as u64..=SINGLE_PUT_MAX).contains(n))
        .ok_or(ConfigError::Invalid("CHARTDESK_MULTIPART_THRESHOLD_MIB"))?;
        // Gone: a file the scanner has not found clean is never served, in any configuration.
        // A server still told to serve them refuses to start rather than seem to comply.
        if get("CHARTDESK_OPEN_PENDING_SCANS").is_some_and(|v| v != "false") {
            return Err(ConfigError::Removed("CHARTDESK_OPEN_PENDING_SCANS"));
        }
        let endpoint = get("AWS_ENDPOINT_URL");
        let local_cloud = match get("CHARTDESK_LOCAL_CLOUD").as_deref() {
            Some("true") if endpoint.is_some() => true,
            Some("false") => false,
            None => endpoint.as_deref().is_some_and(is_loopback),
            Some(_) => return Err(ConfigError::Invalid("CHARTDESK_LOCAL_CLOUD")),
        };
        let auth_flow = match get("CHARTDESK_AUTH_FLOW").as_deref() {
            None if local_cloud => AuthFlow::Password,
            None | Some("srp") => AuthFlow::Srp,
            Some("password") => AuthFlow::Password,
            Some(_) => return Err(ConfigError::Invalid("CHARTDESK_AUTH_FLOW")),
        };
        let idle_lock_seconds = match get("CHARTDESK_IDLE_LOCK_SECONDS") {
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError::Invalid("CHARTDESK_IDLE_LOCK_SECONDS"))?,
            None => DEFAULT_IDLE_LOCK_SECONDS,
        };
        // Above 60 s a sign-out or a disabled account would take longer to take effect.
        let session_check_seconds = match get("CHARTDESK_SESSION_CHECK_SECONDS") {
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= crate::revocation::MAX_CHECK_AGE_SECONDS)
                .ok_or(ConfigError::Invalid("CHARTDESK_SESSION_CHECK_SECONDS"))?,
            None => crate::revocation::MAX_CHECK_AGE_SECONDS,
        };
        let allowed_origins = get("CHARTDESK_ALLOWED_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let subscriber_origins =
            crate::subscriber_origins::SubscriberOrigins::from_lookup(&get, local_cloud)?;
        Ok(Self {
            subscriber_origins,
            auth_flow,
            web_root: get("CHARTDESK_WEB_ROOT").map(PathBuf::from),
            allowed_origins,
            idle_lock_seconds,
            session_check_seconds,
            audit_bucket: get("CHARTDESK_AUDIT_BUCKET").unwrap_or_else(|| bucket.clone()),
            bucket,
            user_pool_id: need_for_api("CHARTDESK_USER_POOL_ID")?,
            app_client_id: need_for_api("CHARTDESK_APP_CLIENT_ID")?,
            region: get("AWS_REGION")
                .or_else(|| get("AWS_DEFAULT_REGION"))
                .ok_or(ConfigError::Missing("AWS_REGION"))?,
            endpoint,
            local_cloud,
            mrn_format,
            max_upload_bytes,
            multipart_threshold,
            max_export_bytes,
            on_lambda: get("AWS_LAMBDA_RUNTIME_API").is_some(),
            worker,
            fhir: crate::config_fhir::FhirSettings::from_lookup(&get)?,
        })
    }
}

/// Whether a URL names this machine (the local cloud), by its host alone.
fn is_loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &[(&str, &str)]) -> Result<ServerConfig, ConfigError> {
        ServerConfig::from_lookup(|name| {
            let base = [
                ("CHARTDESK_BUCKET", "records"),
                ("CHARTDESK_USER_POOL_ID", "eu-west-2_pool"),
                ("CHARTDESK_APP_CLIENT_ID", "client"),
                ("AWS_REGION", "eu-west-2"),
            ];
            extra
                .iter()
                .chain(base.iter())
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn a_server_told_to_serve_unscanned_files_refuses_to_start() {
        assert!(config(&[("CHARTDESK_OPEN_PENDING_SCANS", "false")]).is_ok());
        let refused = config(&[("CHARTDESK_OPEN_PENDING_SCANS", "true")]);
        assert!(matches!(
            refused,
            Err(ConfigError::Removed("CHARTDESK_OPEN_PENDING_SCANS"))
        ));
    }

    #[test]
    fn a_single_put_threshold_is_one_part_at_least_and_s3s_single_put_at_most() {
        let threshold = |mib: &str| {
            config(&[("CHARTDESK_MULTIPART_THRESHOLD_MIB", mib)]).map(|c| c.multipart_threshold)
        };
        assert_eq!(
            config(&[]).unwrap().multipart_threshold,
            MULTIPART_THRESHOLD as u64
        );
        assert_eq!(threshold("8").unwrap(), 8 * 1024 * 1024);
        assert_eq!(threshold("5120").unwrap(), SINGLE_PUT_MAX);
        for refused in ["7", "5121", "0", "lots"] {
            assert!(
                matches!(
                    threshold(refused),
                    Err(ConfigError::Invalid("CHARTDESK_MULTIPART_THRESHOLD_MIB"))
                ),
                "{refused}"
            );
        }
    }

    #[test]
    fn a_vpc_or_fips_endpoint_turns_on_none_of_the_local_cloud_relaxations() {
        for endpoint in [
            "https://bucket.vpce-0a1b2c3d.s3.eu-west-2.vpce.amazonaws.com",
            "https://cognito-idp-fips.us-east-1.amazonaws.com",
        ] {
            let c = config(&[("AWS_ENDPOINT_URL", endpoint)]).unwrap();
            assert!(!c.local_cloud, "{endpoint}");
            assert_eq!(c.auth_flow, AuthFlow::Srp, "{endpoint}");
        }
        let c = config(&[("CHARTDESK_LOCAL_CLOUD", "true")]);
        assert!(
            matches!(c, Err(ConfigError::Invalid("CHARTDESK_LOCAL_CLOUD"))),
            "a local cloud needs its endpoint"
        );
    }

    #[test]
    fn the_local_cloud_is_said_or_found_on_a_loopback_endpoint() {
        for endpoint in [
            "http://127.0.0.1:5000",
            "http://localhost:4566",
            "http://[::1]:5000",
        ] {
            let c = config(&[("AWS_ENDPOINT_URL", endpoint)]).unwrap();
            assert!(c.local_cloud, "{endpoint}");
            assert_eq!(c.auth_flow, AuthFlow::Password);
        }
        let c = config(&[
            ("AWS_ENDPOINT_URL", "http://moto:5000"),
            ("CHARTDESK_LOCAL_CLOUD", "true"),
        ])
        .unwrap();
        assert!(c.local_cloud);
        let c = config(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("CHARTDESK_LOCAL_CLOUD", "false"),
        ])
        .unwrap();
        assert!(!c.local_cloud);
        assert_eq!(config(&[]).unwrap().session_check_seconds, 60);
        assert!(config(&[("CHARTDESK_SESSION_CHECK_SECONDS", "61")]).is_err());
    }

    #[test]
    fn lambda_is_known_by_its_runtime_api_variable_alone() {
        assert!(!config(&[]).unwrap().on_lambda);
        let c = config(&[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")]).unwrap();
        assert!(c.on_lambda);
    }
}
