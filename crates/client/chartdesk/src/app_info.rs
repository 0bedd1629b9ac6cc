//! What the window's status bar shows about the running configuration.

use serde::Serialize;
use ts_rs::TS;

use crate::{Services, UiError};

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub profile: String,
    /// True for the local cloud: the status bar says the data is demo data.
    pub sandbox: bool,
    pub version: String,
    /// Idle time after which the window locks.
    pub idle_lock_seconds: u32,
    /// Why the app cannot work (e.g. no such profile), shown instead of the sign-in form.
    pub startup_error: Option<UiError>,
}

impl AppInfo {
    pub fn new(profile: &str, services: Result<&Services, UiError>, version: &str) -> Self {
        Self {
            profile: profile.to_string(),
            sandbox: services
                .as_ref()
                .is_ok_and(|s| s.profile.endpoint.is_some()),
            version: version.to_string(),
            // The server's word (or the kept copy, or the domain's default): see HospitalPolicy.
            idle_lock_seconds: services
                .as_ref()
                .map_or(chartdesk_domain::DEFAULT_IDLE_LOCK_SECONDS, |s| {
                    s.policy().idle_lock_seconds
                }),
            startup_error: services.err(),
        }
    }
}
