//! The managed state: the core's `Services`, or the reason they could not start
//! (shown in the window instead of crashing, e.g. a missing profile).

use std::collections::HashMap;
use std::sync::Mutex;

use chartdesk::upload::StagedUploads;
use chartdesk::{Services, UiError};
use tokio_util::sync::CancellationToken;

pub struct AppState {
    pub profile: String,
    services: Result<Services, UiError>,
    /// Uploads in flight by the id the window gave them, so its Cancel button can stop one.
    pub uploads: InFlightUploads,
    /// Files the window is sending in chunks, staged on disk until the core queues them.
    pub staged: StagedUploads,
}

#[derive(Default)]
pub struct InFlightUploads(Mutex<HashMap<String, CancellationToken>>);

impl InFlightUploads {
    pub fn start(&self, id: &str) -> CancellationToken {
        let token = CancellationToken::new();
        if let Ok(mut map) = self.0.lock() {
            map.insert(id.to_string(), token.clone());
        }
        token
    }

    pub fn finish(&self, id: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(id);
        }
    }

    /// True when the upload was still in flight.
    pub fn cancel(&self, id: &str) -> bool {
        let token = self.0.lock().ok().and_then(|map| map.get(id).cloned());
        token.map(|t| t.cancel()).is_some()
    }
}

impl AppState {
    pub async fn start(profile: &str) -> Self {
        Self {
            profile: profile.to_string(),
            // The desktop remembers sessions in the OS keychain; the CLI does not.
            services: Services::start(profile)
                .await
                .map(Services::remembering_sessions)
                // The window draws from the find; the offline copy is read after it.
                .map(Services::keeping_copies_after_the_screen)
                .map_err(UiError::from),
            uploads: InFlightUploads::default(),
            // In the user's own data folder, not the shared temp folder of a ward computer.
            staged: match chartdesk::config::Folders::from_env() {
                Ok(folders) => StagedUploads::in_dir(folders.data.join("staging")),
                Err(_) => StagedUploads::default(),
            },
        }
    }

    pub fn services(&self) -> Result<&Services, UiError> {
        self.services.as_ref().map_err(Clone::clone)
    }
}
