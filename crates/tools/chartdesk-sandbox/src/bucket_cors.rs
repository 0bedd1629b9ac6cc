//! The bucket's CORS rule for the browser version: a page served by the records server sends
//! and fetches bytes straight from the bucket with presigned URLs, so the bucket must let that
//! one origin PUT, GET and HEAD, and show it the `ETag` a multipart part answers with. The
//! infrastructure template gives the real bucket the same rule (`WebOrigin`).

use aws_sdk_s3::types::{CorsConfiguration, CorsRule};

use super::ProvisionError;
use chartdesk_records::store::{classify, Failure, StoreError};

pub async fn allow_web_origin(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    origin: &str,
) -> Result<(), ProvisionError> {
    let rule = CorsRule::builder()
        .allowed_origins(origin.trim_end_matches('/'))
        .allowed_methods("GET")
        .allowed_methods("PUT")
        .allowed_methods("HEAD")
        .allowed_headers("*")
        .expose_headers("ETag")
        .max_age_seconds(3000)
        .build()
        .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))?;
    let cors = CorsConfiguration::builder()
        .cors_rules(rule)
        .build()
        .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))?;
    s3.put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(cors)
        .send()
        .await
        .map_err(|e| StoreError::from(classify(e)))?;
    Ok(())
}
