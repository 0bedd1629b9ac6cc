//! Every few seconds: probe the cloud, send what waits, tell the window (`sync-status`).
//! While offline the wait grows (5 s, 10 s, 20 s … capped at 60 s) so a dead network is
//! not hammered; the first round that reaches the cloud drains the outbox.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

const ONLINE_EVERY: Duration = Duration::from_secs(10);
const FIRST_RETRY: Duration = Duration::from_secs(5);
const MAX_RETRY: Duration = Duration::from_secs(60);

pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut retry = FIRST_RETRY;
        loop {
            let status = match app.state::<AppState>().services() {
                Ok(services) => Some(services.outbox().sync_round().await),
                Err(_) => None,
            };
            let wait = match &status {
                Some(s) if !s.online => {
                    let wait = retry;
                    retry = (retry * 2).min(MAX_RETRY);
                    wait
                }
                _ => {
                    retry = FIRST_RETRY;
                    ONLINE_EVERY
                }
            };
            if let Some(status) = status {
                let _ = app.emit("sync-status", status);
            }
            tokio::time::sleep(wait).await;
        }
    });
}
