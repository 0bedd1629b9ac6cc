//! The managed state: the core's `Services`, or the reason they could not start
//! (shown in the window instead of crashing, e.g. a missing profile).

use chartdesk::{Services, UiError};

pub struct AppState {
    pub profile: String,
    services: Result<Services, UiError>,
}

impl AppState {
    pub async fn start(profile: &str) -> Self {
        Self {
            profile: profile.to_string(),
            // The desktop remembers sessions in the OS keychain; the CLI does not.
            services: Services::start(profile)
                .await
                .map(Services::remembering_sessions)
                .map_err(UiError::from),
        }
    }

    pub fn services(&self) -> Result<&Services, UiError> {
        self.services.as_ref().map_err(Clone::clone)
    }
}
