//! The processing worker in this binary (ARCHITECTURE.md §9): its settings, and the two ways it
//! runs: a loop polling the queue beside the API (local cloud, self-hosting), or the whole
//! process as a Lambda with an SQS event source (`CHARTDESK_MODE=worker`).

use std::sync::Arc;
use std::time::Duration;

use chartdesk_worker::queue::QueueSettings;
use chartdesk_worker::{Scanner, Worker, WorkerSettings};

use crate::config::ConfigError;
use crate::AppState;

/// clamd's address unless configured: beside the worker, as the container image runs it.
const DEFAULT_CLAMD_ADDR: &str = "127.0.0.1:3310";

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// `CHARTDESK_MODE=worker`: this process is the worker alone (on Lambda, its SQS source).
    pub worker_only: bool,
    /// `CHARTDESK_SCANNER`: `clamav` (default) or `guardduty`.
    pub scanner: Scanner,
    /// `CHARTDESK_QUEUE_URL`: poll this queue beside the API (never on Lambda, where SQS calls
    /// the worker).
    pub queue_url: Option<String>,
    /// `CHARTDESK_RETRY_SECONDS`: a failed notice comes back after this (times its attempt).
    pub retry_after: Duration,
}

impl WorkerConfig {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let worker_only = match get("CHARTDESK_MODE").as_deref() {
            None | Some("api") => false,
            Some("worker") => true,
            Some(_) => return Err(ConfigError::Invalid("CHARTDESK_MODE")),
        };
        let scanner = match get("CHARTDESK_SCANNER").as_deref() {
            None | Some("clamav") => Scanner::ClamAv {
                addr: get("CHARTDESK_CLAMD_ADDR").unwrap_or_else(|| DEFAULT_CLAMD_ADDR.into()),
            },
            Some("guardduty") => Scanner::GuardDuty,
            Some(_) => return Err(ConfigError::Invalid("CHARTDESK_SCANNER")),
        };
        let retry_after = match get("CHARTDESK_RETRY_SECONDS") {
            Some(v) => Duration::from_secs(
                v.trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=900).contains(n))
                    .ok_or(ConfigError::Invalid("CHARTDESK_RETRY_SECONDS"))?,
            ),
            None => Duration::from_secs(30),
        };
        Ok(Self {
            worker_only,
            scanner,
            queue_url: get("CHARTDESK_QUEUE_URL"),
            retry_after,
        })
    }
}

/// The worker over the server's own stores and clock.
pub fn worker(state: &AppState, config: &WorkerConfig) -> Arc<Worker> {
    Arc::new(Worker::new(
        state.store.clone(),
        state.audit.clone(),
        state.clock.clone(),
        WorkerSettings {
            scanner: config.scanner.clone(),
            max_bytes: state.max_upload_bytes,
        },
    ))
}

/// Starts the polling loop when a queue is configured; it stops with the process.
pub fn spawn_poller(
    state: &AppState,
    config: &WorkerConfig,
    sdk: &aws_config::SdkConfig,
    bucket: &str,
) -> Option<tokio::task::JoinHandle<()>> {
    let queue_url = config.queue_url.clone()?;
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let settings = QueueSettings {
        queue_url,
        bucket: bucket.to_string(),
        retry_after: config.retry_after,
    };
    Some(tokio::spawn(chartdesk_worker::queue::run(
        worker(state, config),
        sqs,
        settings,
    )))
}
