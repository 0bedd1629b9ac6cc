//! The upload protocol's numbers: the server presigns by them and publishes them
//! (`/v1/client-config`, the start-upload answer); clients plan their parts by what it published.

/// Up to this many bytes clients send a file in one PUT, above it in parts: the server's
/// default (`CHARTDESK_MULTIPART_THRESHOLD_MIB` sets another, published in
/// `/v1/client-config`). One PUT is one request where parts are three or more (create, parts,
/// complete); AWS suggests parts from about 100 MB. A PUT is given as long as its parts would
/// have been (`transfer::PUT_TIME_PER_PART`), so a slow link is no worse off; what it loses is
/// resuming part-way after a crash (the file is sent again from its safe copy in the outbox).
pub const MULTIPART_THRESHOLD: usize = 64 * 1024 * 1024;
/// S3 takes at most 5 GiB in one PUT.
pub const SINGLE_PUT_MAX: u64 = 5 * 1024 * 1024 * 1024;
/// S3's minimum part size is 5 MiB; 8 MiB parts keep a 100 MiB scan to 13 requests. A
/// multipart upload has at least two parts: a file of one part's size or less is one PUT
/// whatever the threshold (desktops that learnt an older, lower threshold still send parts
/// above it, and are served).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts in flight at once: enough to fill a ward's uplink without starving the UI.
pub const PARALLEL_PARTS: usize = 4;
/// A part or PUT that fails with no answer or a 5xx is tried this many times in all.
pub const ATTEMPTS: u32 = 3;
