//! The worker on AWS Lambda with an SQS event source (`ReportBatchItemFailures`): each message
//! handled alone; the ones not done are reported back and redelivered by SQS.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, LambdaEvent};

use crate::queue::handle_body;
use crate::Worker;

pub async fn run(worker: Arc<Worker>, bucket: String) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let worker = worker.clone();
        let bucket = bucket.clone();
        async move { Ok::<_, lambda_runtime::Error>(batch(&worker, &bucket, event.payload).await) }
    }))
    .await
}

async fn batch(worker: &Worker, bucket: &str, event: SqsEvent) -> SqsBatchResponse {
    let mut failures = Vec::new();
    for message in event.records {
        let receives = message
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(1);
        let body = message.body.as_deref().unwrap_or_default();
        if !handle_body(worker, body, bucket, receives).await {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            failures.push(failure);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}
