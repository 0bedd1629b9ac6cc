//! The hospital's policy as the records server enforces it, published so clients can check
//! early (a friendly message before sending) with the same numbers, never instead.

use chartdesk_domain::upload_protocol::{ATTEMPTS, MULTIPART_THRESHOLD, PARALLEL_PARTS, PART_SIZE};
use chartdesk_domain::ACCEPTED_TYPES;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// A kind of file the server accepts (by content): its content type, and the extensions a
/// file picker may offer for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct AcceptedFileType {
    #[schema(pattern = "^(application/pdf|image/jpeg|image/png|image/tiff)$")]
    pub content_type: String,
    #[schema(min_items = 1)]
    pub extensions: Vec<String>,
}

impl AcceptedFileType {
    /// Every type `chartdesk_domain::accept` accepts.
    pub fn all() -> Vec<Self> {
        ACCEPTED_TYPES
            .iter()
            .map(|t| Self {
                content_type: t.content_type.to_string(),
                extensions: t.extensions.iter().map(|e| e.to_string()).collect(),
            })
            .collect()
    }
}

/// How files go up: one PUT up to the threshold, else parts of `part_size` bytes (hashed by
/// the client before it starts), `parallel_parts` at a time, each tried `attempts` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct UploadProtocol {
    #[schema(minimum = 1)]
    pub multipart_threshold: u64,
    /// S3 refuses parts under 5 MiB (all but the last).
    #[schema(minimum = 5242880)]
    pub part_size: u64,
    #[schema(minimum = 1)]
    pub parallel_parts: u32,
    #[schema(minimum = 1)]
    pub attempts: u32,
}

impl UploadProtocol {
    /// This build's defaults (a server publishes its own single-PUT threshold over them).
    pub fn current() -> Self {
        Self {
            multipart_threshold: MULTIPART_THRESHOLD as u64,
            part_size: PART_SIZE as u64,
            parallel_parts: PARALLEL_PARTS as u32,
            attempts: ATTEMPTS,
        }
    }
}

impl Default for UploadProtocol {
    fn default() -> Self {
        Self::current()
    }
}
