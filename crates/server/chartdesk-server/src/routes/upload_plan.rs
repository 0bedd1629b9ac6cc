//! The checks every declared upload passes, at start and again at complete: the declaration
//! itself (`plan`), and the record it goes to (`upload_target`: break-glass, not superseded).

use axum::http::HeaderMap;
use chartdesk_api::{ObjectRole, StartUpload, MAX_UPLOADS_PER_REQUEST};
use chartdesk_domain::upload_protocol::{PART_SIZE, SINGLE_PUT_MAX};
use chartdesk_domain::{
    accept_declared, keys, Category, DocumentEntry, DocumentStatus, Mrn, ScanStatus,
};

use crate::access::{self, Reached};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A 320 px JPEG is a few tens of kB: a list inlines a thumb no larger than this, so it never
/// reads a large object.
pub const THUMB_MAX_BYTES: u64 = 256 * 1024;

/// A declared upload, checked: where its one object, the original, goes (the worker makes the
/// previews from it: ARCHITECTURE.md §9).
pub struct Planned {
    pub mrn: Mrn,
    pub category: Category,
    pub file_name: String,
    pub content_type: &'static str,
    /// (role, key, content type, size, hex sha256)
    pub objects: Vec<(ObjectRole, String, &'static str, u64, String)>,
}

fn is_hex_digest(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// One PUT (no part digests) for any accepted size S3 takes in one PUT; parts (one hex
/// SHA-256 each) for any file over one part's size. The published threshold is the client's
/// choice between them, not a rule: a client holding another (an older server's, a lowered
/// one, the default before it could ask) is still served.
fn check_parts(up: &StartUpload) -> ApiResult<()> {
    let mib = |n: u64| n / 1_048_576;
    if up.part_sha256.is_empty() {
        if up.size > SINGLE_PUT_MAX {
            return Err(ApiError::Invalid(format!(
                "A file over {} MiB is sent in {} MiB parts: give one hex SHA-256 per part",
                mib(SINGLE_PUT_MAX),
                mib(PART_SIZE as u64)
            )));
        }
        return Ok(());
    }
    let parts = usize::try_from(up.size.div_ceil(PART_SIZE as u64)).unwrap_or(usize::MAX);
    if up.size <= PART_SIZE as u64 {
        return Err(ApiError::Invalid(format!(
            "A file of {} MiB or less is sent in one PUT: give no part digests",
            mib(PART_SIZE as u64)
        )));
    }
    if up.part_sha256.len() != parts || !up.part_sha256.iter().all(|p| is_hex_digest(p)) {
        return Err(ApiError::Invalid(format!(
            "Parts are {} MiB: give one hex SHA-256 for each of the {parts}",
            mib(PART_SIZE as u64)
        )));
    }
    Ok(())
}

/// A batch (start or complete) names at most `MAX_UPLOADS_PER_REQUEST` uploads; `done` says
/// what happens to them ("started", "added").
pub fn within_one_request(uploads: usize, done: &str) -> ApiResult<()> {
    if uploads > MAX_UPLOADS_PER_REQUEST {
        return Err(ApiError::Invalid(format!(
            "At most {MAX_UPLOADS_PER_REQUEST} files can be {done} in one go; send the rest separately"
        )));
    }
    Ok(())
}

/// The checks every declared upload passes, at start and again at complete.
pub fn plan(state: &AppState, up: &StartUpload) -> ApiResult<Planned> {
    let mrn = access::parse_mrn(state, &up.mrn)?;
    let file = accept_declared(
        &up.file_name,
        &up.content_type,
        up.size,
        state.max_upload_bytes,
    )?;
    if !is_hex_digest(&up.sha256) {
        return Err(ApiError::Invalid(
            "sha256 must be 64 lower-case hex digits".into(),
        ));
    }
    check_parts(up)?;
    let ext = keys::extension_for(file.content_type).unwrap_or("bin");
    let id = up.doc_id;
    let objects = vec![(
        ObjectRole::Original,
        keys::original(&mrn, up.category, id, ext),
        file.content_type,
        up.size,
        up.sha256.clone(),
    )];
    Ok(Planned {
        mrn,
        category: up.category,
        file_name: file.file_name,
        content_type: file.content_type,
        objects,
    })
}

pub fn entry(
    planned: &Planned,
    up: &StartUpload,
    user: &VerifiedUser,
    state: &AppState,
) -> DocumentEntry {
    DocumentEntry {
        id: up.doc_id,
        category: planned.category,
        file_name: planned.file_name.clone(),
        content_type: planned.content_type.to_string(),
        size: up.size,
        sha256: up.sha256.clone(),
        created: state.now(),
        uploaded_by: user.actor.clone(),
        // The worker writes the previews and records their keys here.
        variants: Vec::new(),
        stamp: None,
        status: DocumentStatus::Attached,
        scan_status: ScanStatus::Pending,
        status_change: None,
        // The worker records its outcome here once the original has landed (ARCHITECTURE.md §9).
        processing: Some(chartdesk_domain::Processing::queued()),
    }
}

/// The record an upload goes to, reached as any other access: a restricted record needs the
/// break-glass reason (`reach` refuses and leaves a trace without it), and a superseded
/// record takes nothing new, its documents would not show in the record it was merged into.
pub async fn upload_target(
    state: &AppState,
    user: &VerifiedUser,
    mrn: &Mrn,
    headers: &HeaderMap,
) -> ApiResult<Reached> {
    let reached = access::reach(state, user, mrn.clone(), headers).await?;
    if reached.patient.flags.superseded {
        return Err(ApiError::Invalid(match &reached.patient.superseded_by {
            Some(current) => format!(
                "This record was merged into MRN {current}: add the document to that record"
            ),
            None => "This record was merged into another and takes no new documents".into(),
        }));
    }
    Ok(reached)
}
