//! The upload protocol's numbers: the server presigns by them and publishes them
//! (`/v1/client-config`, the start-upload answer); clients plan their parts by what it published.

/// Above this many bytes a file goes up as a multipart upload.
pub const MULTIPART_THRESHOLD: usize = 8 * 1024 * 1024;
/// S3's minimum part size is 5 MiB; 8 MiB parts keep a 50 MiB scan to 7 requests.
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts in flight at once: enough to fill a ward's uplink without starving the UI.
pub const PARALLEL_PARTS: usize = 4;
/// A part or PUT that fails with no answer or a 5xx is tried this many times in all.
pub const ATTEMPTS: u32 = 3;
