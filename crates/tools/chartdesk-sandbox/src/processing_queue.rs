//! The processing worker's queue on the local cloud, as the template makes it in AWS: one queue
//! the bucket notifies when an object is created under `patients/` (and an audit event's day
//! copy, for FHIR subscriptions), with a dead-letter queue
//! after the worker's retries. moto delivers S3 notifications to SQS itself (checked: a PUT
//! arrives as an `ObjectCreated:Put` record).

use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
    QueueConfiguration, S3KeyFilter,
};
use aws_sdk_sqs::types::QueueAttributeName;

use super::ProvisionError;

pub const QUEUE_NAME: &str = "chartdesk-process";
pub const DEAD_LETTER_QUEUE_NAME: &str = "chartdesk-process-dead";

/// The queue's URL, made (or found) and wired to the bucket's notifications.
pub async fn ensure(
    shared: &aws_config::SdkConfig,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<String, ProvisionError> {
    let sqs = aws_sdk_sqs::Client::new(shared);
    let failed = |_| ProvisionError::Queue;
    let dead = sqs
        .create_queue()
        .queue_name(DEAD_LETTER_QUEUE_NAME)
        .send()
        .await
        .map_err(failed)?;
    let dead_arn = queue_arn(&sqs, dead.queue_url().unwrap_or_default()).await?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dead_arn,
        "maxReceiveCount": chartdesk_domain::PROCESSING_MAX_RECEIVES.to_string(),
    })
    .to_string();
    let queue = sqs
        .create_queue()
        .queue_name(QUEUE_NAME)
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        .attributes(QueueAttributeName::VisibilityTimeout, "60")
        .send()
        .await
        .map_err(failed)?;
    let url = queue.queue_url().unwrap_or_default().to_string();
    let arn = queue_arn(&sqs, &url).await?;
    // Originals for the processing pass; FHIR bulk export jobs (`$export`,
    // `chartdesk_fhir::bulk::JOBS_PREFIX`); document changes' audit copies (`audit/changes/`) for
    // FHIR subscription notifications (ARCHITECTURE.md §10).
    let notify = |prefix: &str| {
        QueueConfiguration::builder()
            .queue_arn(&arn)
            .events(Event::from("s3:ObjectCreated:*"))
            .filter(prefix_filter(prefix))
            .build()
            .map_err(|_| ProvisionError::Queue)
    };
    let (originals, export_jobs, audit) = (
        notify("patients/")?,
        notify("exports/jobs/")?,
        notify(chartdesk_records::audit::CHANGES_PREFIX)?,
    );
    s3.put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(originals)
                .queue_configurations(export_jobs)
                .queue_configurations(audit)
                .build(),
        )
        .send()
        .await
        .map_err(|_| ProvisionError::Queue)?;
    Ok(url)
}

fn prefix_filter(prefix: &str) -> NotificationConfigurationFilter {
    NotificationConfigurationFilter::builder()
        .key(
            S3KeyFilter::builder()
                .filter_rules(
                    FilterRule::builder()
                        .name(FilterRuleName::Prefix)
                        .value(prefix)
                        .build(),
                )
                .build(),
        )
        .build()
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String, ProvisionError> {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|_| ProvisionError::Queue)?;
    attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or(ProvisionError::Queue)
}
