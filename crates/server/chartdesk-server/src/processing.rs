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

/// `--process-existing-documents`: marks every document filed before the worker existed as
/// queued and sends the worker a notice for it (and again for any still waiting, a notice
/// lost). Prints counts only and exits; running it again is harmless.
pub async fn process_existing_documents(
    state: &AppState,
    config: &crate::ServerConfig,
    sdk: &aws_config::SdkConfig,
    only: &[String],
) -> anyhow::Result<()> {
    use anyhow::Context;
    let only = only
        .iter()
        .map(|mrn| config.mrn_format.parse(mrn))
        .collect::<Result<Vec<_>, _>>()
        .context("--record needs an MRN in the hospital's format")?;
    let queue_url =
        config.worker.queue_url.clone().context(
            "--process-existing-documents needs CHARTDESK_QUEUE_URL (the worker's queue)",
        )?;
    let (report, originals) = chartdesk_records::queue_existing_documents(&*state.store, &only)
        .await
        .context("the records could not all be read or marked; run it again")?;
    let sqs = aws_sdk_sqs::Client::new(sdk);
    for key in &originals {
        sqs.send_message()
            .queue_url(&queue_url)
            .message_body(chartdesk_worker::landed_message(&config.bucket, key))
            .send()
            .await
            .context("the worker's queue did not take a notice; run it again")?;
    }
    println!("{report}; {} notices sent", originals.len());
    Ok(())
}
