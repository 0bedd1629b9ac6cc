//! The worker as a loop beside the records server, polling the same SQS queue the bucket
//! notifies (moto on the local cloud). Delivery is at least once: a notice handled is deleted;
//! one that failed comes back after a short delay, and on its last attempt is recorded as
//! *processing failed* before the queue moves it to the dead-letter queue.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use aws_sdk_sqs::Client;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::process::document_id;
use crate::{notices, Handled, ProcessError, Worker};

pub use chartdesk_domain::PROCESSING_MAX_RECEIVES as MAX_RECEIVES;

pub struct QueueSettings {
    pub queue_url: String,
    pub bucket: String,
    /// How long a failed notice waits before it comes back (grows with each attempt).
    pub retry_after: Duration,
}

/// How many notices the loop works on at once: a notice waiting for its upload to be attached
/// (up to about 7 s) or a long OCR never holds up the documents behind it. Each pass streams
/// its original, so memory stays a few times one pass's.
pub const IN_FLIGHT: usize = 3;

/// Polls until the task is dropped. Errors talking to the queue are logged and retried.
pub async fn run(worker: Arc<Worker>, sqs: Client, settings: QueueSettings) {
    let settings = Arc::new(settings);
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    // Owned here, so stopping the loop (a task aborted, a server shut down) stops its passes.
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.try_join_next().is_some() {}
        // Receive only what there is room for: a received notice is invisible to others.
        let Ok(first) = slots.clone().acquire_owned().await else {
            return;
        };
        let room = 1 + slots.available_permits();
        let received = sqs
            .receive_message()
            .queue_url(&settings.queue_url)
            .max_number_of_messages(i32::try_from(room).unwrap_or(1))
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(_) => {
                tracing::warn!(
                    kind = "queue_unreachable",
                    "the processing queue did not answer"
                );
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        let mut first = Some(first);
        for message in messages {
            let permit = match first.take() {
                Some(permit) => permit,
                None => match slots.clone().try_acquire_owned() {
                    Ok(permit) => permit,
                    // Not reached (no more than `room` arrive); such a notice simply comes
                    // back after its visibility timeout.
                    Err(_) => break,
                },
            };
            let (worker, sqs, settings) = (worker.clone(), sqs.clone(), settings.clone());
            in_flight.spawn(async move {
                answer(&worker, &sqs, &settings, message).await;
                drop(permit);
            });
        }
    }
}

/// Handles one message, then deletes it or hands it back for a later attempt.
async fn answer(worker: &Worker, sqs: &Client, settings: &QueueSettings, message: Message) {
    let receives = message
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(1);
    let body = message.body().unwrap_or_default();
    let ok = handle_body(worker, body, &settings.bucket, receives).await;
    let Some(receipt) = message.receipt_handle() else {
        return;
    };
    let answered = if ok {
        sqs.delete_message()
            .queue_url(&settings.queue_url)
            .receipt_handle(receipt)
            .send()
            .await
            .map(|_| ())
            .map_err(|_| ())
    } else {
        let wait = settings.retry_after.as_secs().max(1) * u64::from(receives);
        sqs.change_message_visibility()
            .queue_url(&settings.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(i32::try_from(wait).unwrap_or(60))
            .send()
            .await
            .map(|_| ())
            .map_err(|_| ())
    };
    if answered.is_err() {
        tracing::warn!(
            kind = "queue_unreachable",
            "a processed notice was not acknowledged"
        );
    }
}

/// Handles every notice in one message body; true when all are done with (delete it).
pub async fn handle_body(worker: &Worker, body: &str, bucket: &str, receives: u32) -> bool {
    let last_attempt = receives >= MAX_RECEIVES;
    let mut all_done = true;
    for notice in notices(body, bucket) {
        let id = document_id(&notice);
        match worker.handle(&notice, last_attempt).await {
            Ok(Handled::Recorded(state)) => {
                tracing::info!(doc_id = ?id, ?state, "document processed");
            }
            Ok(_) => {}
            Err(ProcessError::NotAttachedYet) if !last_attempt => {
                tracing::debug!(doc_id = ?id, "original landed before its upload completed");
                all_done = false;
            }
            Err(e) => {
                tracing::warn!(doc_id = ?id, kind = e.kind(), receives, "processing failed; it will be retried");
                all_done = false;
            }
        }
    }
    all_done
}
