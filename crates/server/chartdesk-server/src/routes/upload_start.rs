//! Starting uploads: each patient's record reached and read once, every upload checked early
//! against it (already there, preop full), then its PUT (or its parts) presigned. Nothing of
//! the record is written: the document id is claimed when the upload is completed
//! (`claim_completing`), which took two of a file's three claim requests off the store.
//! `POST /v1/uploads/start` takes a batch: per-file starts, each reading the patient and the
//! manifest again, were half the time of a 100-file upload (issue 25 item 1).
//! `POST /v1/uploads` (`uploads::start`) is the same for one file.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{
    MultipartTarget, ObjectRole, PresignedPart, StartResult, StartUpload, StartUploads,
    StartedUpload, StartedUploads, UploadTarget,
};
use chartdesk_domain::upload_protocol::{PARALLEL_PARTS, PART_SIZE};
use chartdesk_domain::{attach, Action, AttachError, AuditAction, Manifest, Mrn};
use futures_util::StreamExt;
use uuid::Uuid;

use super::multipart;
use super::upload_plan::{entry, plan, upload_target, within_one_request, Planned};
use crate::access;
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::{presign, verify};

/// Uploads presigned at once within a batch (a multipart one opens its upload): waits on the
/// store, not work.
const PARALLEL_STARTS: usize = 32;

#[utoipa::path(post, path = "/v1/uploads/start", tag = "uploads", request_body = StartUploads,
    security(("bearer" = [])),
    responses((status = 200, body = StartedUploads, description = "one result per upload"),
        (status = 400, body = chartdesk_api::ErrorBody, description = "more than 100 uploads")))]
pub async fn start_many(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<StartUploads>,
) -> ApiResult<Json<StartedUploads>> {
    user.require(Action::Upload)?;
    within_one_request(batch.uploads.len(), "started")?;
    let mut results: BTreeMap<usize, StartResult> = BTreeMap::new();
    let mut by_patient: BTreeMap<String, Vec<(usize, &StartUpload, Planned)>> = BTreeMap::new();
    for (i, up) in batch.uploads.iter().enumerate() {
        match plan(&state, up) {
            Ok(p) => by_patient
                .entry(p.mrn.to_string())
                .or_default()
                .push((i, up, p)),
            Err(e) => {
                results.insert(i, refused(up.doc_id, &e));
            }
        }
    }
    let mut ready = Vec::new();
    for uploads in by_patient.into_values() {
        let mrn = uploads[0].2.mrn.clone();
        let ids: Vec<Uuid> = uploads.iter().map(|(_, up, _)| up.doc_id).collect();
        match opened(&state, &user, &mrn, &headers, &ids).await {
            Err(e) => {
                for (i, up, _) in uploads {
                    results.insert(i, refused(up.doc_id, &e));
                }
            }
            Ok(manifest) => {
                // In the order asked: the earlier files of the batch fill preop first.
                let mut trial = manifest.clone();
                for (i, up, p) in uploads {
                    match early(&state, &user, (&manifest, &mut trial), &p, up) {
                        Ok(Early::Already) => {
                            results.insert(i, started(already(up.doc_id)));
                        }
                        Ok(Early::Go) => ready.push((i, up, p)),
                        Err(e) => {
                            results.insert(i, refused(up.doc_id, &e));
                        }
                    }
                }
            }
        }
    }
    // The same declaration twice in one batch is presigned once (two multipart uploads on one
    // key would leave one open); the copy gets the same answer.
    let mut first: Vec<(usize, &StartUpload)> = Vec::new();
    let mut copies = Vec::new();
    ready.retain(
        |(i, up, _)| match first.iter().find(|(_, seen)| *seen == *up) {
            Some(&(original, _)) => {
                copies.push((*i, original));
                false
            }
            None => {
                first.push((*i, up));
                true
            }
        },
    );
    let state = &state;
    let starts: Vec<_> = ready
        .into_iter()
        .map(|(i, up, p)| async move { (i, up.doc_id, presign_upload(state, &p, up).await) })
        .collect();
    let presigned: Vec<_> = futures_util::stream::iter(starts)
        .buffer_unordered(PARALLEL_STARTS)
        .collect()
        .await;
    for (i, id, outcome) in presigned {
        let result = match outcome {
            Ok(s) => started(s),
            Err(e) => refused(id, &e),
        };
        results.insert(i, result);
    }
    for (copy, original) in copies {
        if let Some(answer) = results.get(&original).cloned() {
            results.insert(copy, answer);
        }
    }
    Ok(Json(StartedUploads {
        results: results.into_values().collect(),
    }))
}

/// The patient uploads go to, reached (break-glass, not superseded), and their manifest: read
/// alongside, but nothing about the record (preop fullness included) is told before the user
/// is let in. `join`, not `try_join`: a failed read must never cancel the audit event a refused
/// probe writes. A restricted record's answer tells what it holds, so opening it is audited
/// with its reason, naming the uploads, as any other opening is.
pub async fn opened(
    state: &AppState,
    user: &VerifiedUser,
    mrn: &Mrn,
    headers: &HeaderMap,
    ids: &[Uuid],
) -> ApiResult<Manifest> {
    let (reached, manifest) = tokio::join!(
        upload_target(state, user, mrn, headers),
        access::manifest(state, mrn)
    );
    let reached = reached?;
    if reached.patient.flags.restricted {
        let detail = access::Detail {
            doc_ids: ids,
            reason: reached.reason.as_ref(),
            count: (ids.len() > 1).then(|| u32::try_from(ids.len()).unwrap_or(u32::MAX)),
            ..Default::default()
        };
        access::audit(state, user, AuditAction::BreakGlass, mrn, detail).await?;
    }
    Ok(manifest?.0)
}

pub enum Early {
    /// A replay of an upload already in the record: nothing to send.
    Already,
    Go,
}

/// Early and friendly; complete enforces it again under the compare-and-swap. Judged against
/// the manifest read and a `trial` copy that takes each upload that may go ahead, so a batch
/// cannot overfill preop either.
pub fn early(
    state: &AppState,
    user: &VerifiedUser,
    (manifest, trial): (&Manifest, &mut Manifest),
    planned: &Planned,
    up: &StartUpload,
) -> ApiResult<Early> {
    if manifest.documents.iter().any(|d| d.id == up.doc_id) {
        return Ok(Early::Already);
    }
    // A refused attach leaves the trial as it was.
    match attach(trial, entry(planned, up, user, state), up.replace_oldest) {
        Err(AttachError::PreopFull) => Err(ApiError::PreopFull),
        // Named twice in one batch: both are sent, the complete attaches it once.
        Err(AttachError::AlreadyAttached) | Ok(_) => Ok(Early::Go),
    }
}

/// The original's PUT presigned, or its multipart upload opened (or the one an earlier try
/// opened, resumed) and its parts presigned.
pub async fn presign_upload(
    state: &AppState,
    planned: &Planned,
    up: &StartUpload,
) -> ApiResult<StartedUpload> {
    let mut objects = Vec::new();
    for (role, key, content_type, _, sha256) in &planned.objects {
        let b64 = verify::hex_to_base64(sha256).ok_or(ApiError::Internal("digest"))?;
        // In parts when the client hashed it in parts (`plan` checked it may).
        let in_parts = *role == ObjectRole::Original && !up.part_sha256.is_empty();
        let target = if in_parts {
            let resumed = match &up.resume_upload_id {
                Some(id) if multipart::still_open(state, key, id).await => Some(id.clone()),
                _ => None,
            };
            let upload_id = match resumed {
                Some(id) => id,
                None => multipart::create(state, key, content_type).await?,
            };
            let mut parts = Vec::new();
            for (i, part) in up.part_sha256.iter().enumerate() {
                let number = i32::try_from(i + 1).map_err(|_| ApiError::Internal("parts"))?;
                let part_b64 = verify::hex_to_base64(part).ok_or(ApiError::Internal("digest"))?;
                let request = presign::part(state, key, &upload_id, number, &part_b64).await?;
                parts.push(PresignedPart { number, request });
            }
            UploadTarget {
                role: *role,
                put: None,
                multipart: Some(MultipartTarget {
                    upload_id,
                    part_size: PART_SIZE as u64,
                    parts,
                }),
            }
        } else {
            // An earlier try of this upload went in parts (under another threshold): its open
            // multipart upload would wait a day for the bucket's lifecycle rule.
            if let Some(id) = &up.resume_upload_id {
                state.store.abort_multipart(key, id).await;
            }
            UploadTarget {
                role: *role,
                put: Some(presign::put(state, key, content_type, &b64).await?),
                multipart: None,
            }
        };
        objects.push(target);
    }
    Ok(answer(up.doc_id, false, objects))
}

/// The answer to a replay of an upload already in the record: nothing to send.
pub fn already(doc_id: Uuid) -> StartedUpload {
    answer(doc_id, true, Vec::new())
}

fn answer(doc_id: Uuid, already_attached: bool, objects: Vec<UploadTarget>) -> StartedUpload {
    StartedUpload {
        doc_id,
        already_attached,
        objects,
        expires_in_seconds: presign::EXPIRY.as_secs(),
        part_size: PART_SIZE as u64,
        parallel_parts: PARALLEL_PARTS as u32,
    }
}

fn started(s: StartedUpload) -> StartResult {
    StartResult {
        doc_id: s.doc_id,
        started: Some(s),
        error: None,
    }
}

fn refused(doc_id: Uuid, e: &ApiError) -> StartResult {
    StartResult {
        doc_id,
        started: None,
        error: Some(e.body()),
    }
}
