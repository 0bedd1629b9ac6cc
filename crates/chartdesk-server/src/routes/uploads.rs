//! Uploads as server intents (see chartdesk-api's `uploads`): start validates and presigns,
//! complete verifies the stored objects and attaches a batch with one compare-and-swap per
//! patient, under the preop rule. Idempotent by the client's `doc_id`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chartdesk_api::{
    ApiErrorCode, CompleteResult, CompleteUpload, CompleteUploads, CompletedUploads, ErrorBody,
    MultipartTarget, ObjectRole, PresignedPart, StartUpload, StartedUpload, UploadOutcomeKind,
    UploadTarget, VariantKind,
};
use chartdesk_domain::{
    accept_declared, attach, keys, Action, AttachError, Category, DocumentEntry, DocumentStatus,
    Manifest, Mrn, ScanStatus,
};
use chartdesk_records::audit::AuditAction;
use chartdesk_records::store::transfer::{MULTIPART_THRESHOLD, PART_SIZE};
use chartdesk_records::{row_for, update_manifest};

use futures_util::StreamExt;

use super::documents::permissions;
use super::multipart;
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;
use crate::{presign, verify};

/// Uploads of one batch verified at once (each is a few HEAD/GET requests).
const PARALLEL_CHECKS: usize = 4;

/// A declared upload, checked: where each of its objects goes.
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
    let parts = usize::try_from(up.size.div_ceil(PART_SIZE as u64)).unwrap_or(usize::MAX);
    let multipart = up.size > MULTIPART_THRESHOLD as u64;
    if multipart == up.part_sha256.is_empty()
        || (multipart
            && (up.part_sha256.len() != parts || !up.part_sha256.iter().all(|p| is_hex_digest(p))))
    {
        return Err(ApiError::Invalid(format!(
            "A file over {} MiB is sent in {} MiB parts: give one hex SHA-256 per part",
            MULTIPART_THRESHOLD / 1_048_576,
            PART_SIZE / 1_048_576
        )));
    }
    let ext = keys::extension_for(file.content_type).unwrap_or("bin");
    let id = up.doc_id;
    let mut objects = vec![(
        ObjectRole::Original,
        keys::original(&mrn, up.category, id, ext),
        file.content_type,
        up.size,
        up.sha256.clone(),
    )];
    let mut seen = Vec::new();
    for v in &up.variants {
        let ok = file.is_image()
            && !seen.contains(&v.kind)
            && v.size > 0
            && v.size <= MULTIPART_THRESHOLD as u64
            && is_hex_digest(&v.sha256);
        if !ok {
            return Err(ApiError::Invalid(
                "Image variants: one optimized and one thumb JPEG each, for images only".into(),
            ));
        }
        seen.push(v.kind);
        let (role, key) = match v.kind {
            VariantKind::Optimized => (
                ObjectRole::Optimized,
                keys::optimized(&mrn, up.category, id),
            ),
            VariantKind::Thumb => (ObjectRole::Thumb, keys::thumb(&mrn, up.category, id)),
        };
        objects.push((role, key, "image/jpeg", v.size, v.sha256.clone()));
    }
    Ok(Planned {
        mrn,
        category: up.category,
        file_name: file.file_name,
        content_type: file.content_type,
        objects,
    })
}

async fn patient_exists(state: &AppState, mrn: &Mrn) -> ApiResult<()> {
    if state.store.exists(&keys::patient(mrn)).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "No patient found with MRN {mrn}"
        )))
    }
}

#[utoipa::path(post, path = "/v1/uploads", tag = "uploads", request_body = StartUpload,
    security(("bearer" = [])),
    responses((status = 200, body = StartedUpload), (status = 400, body = chartdesk_api::ErrorBody),
        (status = 409, body = chartdesk_api::ErrorBody, description = "preop_full")))]
pub async fn start(
    State(state): State<AppState>,
    user: VerifiedUser,
    ApiJson(up): ApiJson<StartUpload>,
) -> ApiResult<Json<StartedUpload>> {
    user.require(Action::Upload)?;
    let planned = plan(&state, &up)?;
    patient_exists(&state, &planned.mrn).await?;
    let (manifest, _) = access::manifest(&state, &planned.mrn).await?;
    let expires_in_seconds = presign::EXPIRY.as_secs();
    if manifest.documents.iter().any(|d| d.id == up.doc_id) {
        return Ok(Json(StartedUpload {
            doc_id: up.doc_id,
            already_attached: true,
            objects: Vec::new(),
            expires_in_seconds,
        }));
    }
    // Early and friendly; complete enforces it again under the compare-and-swap.
    let mut trial = manifest.clone();
    if let Err(AttachError::PreopFull) = attach(
        &mut trial,
        entry(&planned, &up, &user, &state),
        up.replace_oldest,
    ) {
        return Err(ApiError::PreopFull);
    }
    let mut objects = Vec::new();
    for (role, key, content_type, size, sha256) in &planned.objects {
        let b64 = verify::hex_to_base64(sha256).ok_or(ApiError::Internal("digest"))?;
        let target = if *size > MULTIPART_THRESHOLD as u64 {
            let resumed = match &up.resume_upload_id {
                Some(id) if multipart::still_open(&state, key, id).await => Some(id.clone()),
                _ => None,
            };
            let upload_id = match resumed {
                Some(id) => id,
                None => multipart::create(&state, key, content_type).await?,
            };
            let mut parts = Vec::new();
            for (i, part) in up.part_sha256.iter().enumerate() {
                let number = i32::try_from(i + 1).map_err(|_| ApiError::Internal("parts"))?;
                let part_b64 = verify::hex_to_base64(part).ok_or(ApiError::Internal("digest"))?;
                let request = presign::part(&state, key, &upload_id, number, &part_b64).await?;
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
            UploadTarget {
                role: *role,
                put: Some(presign::put(&state, key, content_type, &b64).await?),
                multipart: None,
            }
        };
        objects.push(target);
    }
    Ok(Json(StartedUpload {
        doc_id: up.doc_id,
        already_attached: false,
        objects,
        expires_in_seconds,
    }))
}

fn entry(
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
        variants: planned
            .objects
            .iter()
            .filter(|(role, ..)| *role != ObjectRole::Original)
            .map(|(_, key, ..)| key.clone())
            .collect(),
        stamp: None,
        status: DocumentStatus::Attached,
        scan_status: ScanStatus::Pending,
    }
}

fn refused(doc_id: uuid::Uuid, e: &ApiError) -> CompleteResult {
    refused_with(doc_id, e.body())
}

fn refused_with(doc_id: uuid::Uuid, error: ErrorBody) -> CompleteResult {
    CompleteResult {
        doc_id,
        outcome: if error.code == ApiErrorCode::PreopFull {
            UploadOutcomeKind::PreopFull
        } else {
            UploadOutcomeKind::Refused
        },
        row: None,
        error: Some(error),
    }
}

/// Verifies one upload's objects (completing its multipart original first).
async fn verified(state: &AppState, c: &CompleteUpload, planned: &Planned) -> ApiResult<()> {
    for (role, key, _, size, sha256) in &planned.objects {
        if *role == ObjectRole::Original {
            if let Some(upload_id) = &c.multipart_upload_id {
                multipart::complete(state, key, upload_id, &c.parts, &c.upload.part_sha256).await?;
            }
        }
        let parts: &[String] = if *role == ObjectRole::Original {
            &c.upload.part_sha256
        } else {
            &[]
        };
        let expected = verify::Expected {
            size: *size,
            sha256_hex: sha256,
            part_sha256_hex: parts,
        };
        if let Err(e) = verify::object(state, key, &expected).await {
            // Not in any manifest: removed so a corrected retry can create it again.
            if matches!(e, ApiError::Integrity(_)) {
                let _ = state.store.delete(key).await;
            }
            return Err(e);
        }
    }
    let original = &planned.objects[0].1;
    if verify::sniffed_type(state, original).await? != Some(planned.content_type) {
        let _ = state.store.delete(original).await;
        return Err(ApiError::Invalid(format!(
            "{}: the stored file is not the {} it was declared as (checked by content)",
            planned.file_name, planned.content_type
        )));
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/uploads/complete", tag = "uploads", request_body = CompleteUploads,
    security(("bearer" = [])),
    responses((status = 200, body = CompletedUploads, description = "one result per upload")))]
pub async fn complete(
    State(state): State<AppState>,
    user: VerifiedUser,
    ApiJson(batch): ApiJson<CompleteUploads>,
) -> ApiResult<Json<CompletedUploads>> {
    user.require(Action::Upload)?;
    let mut results: BTreeMap<usize, CompleteResult> = BTreeMap::new();
    let mut planned = Vec::new();
    for (i, c) in batch.uploads.iter().enumerate() {
        match plan(&state, &c.upload) {
            Ok(p) => planned.push((i, c, p)),
            Err(e) => {
                results.insert(i, refused(c.upload.doc_id, &e));
            }
        }
    }
    // One read per patient in the batch, not per upload.
    let mut known: BTreeMap<String, Result<Vec<uuid::Uuid>, ErrorBody>> = BTreeMap::new();
    for (_, _, p) in &planned {
        if !known.contains_key(p.mrn.as_str()) {
            let ids = async {
                patient_exists(&state, &p.mrn).await?;
                let (manifest, _) = access::manifest(&state, &p.mrn).await?;
                Ok::<_, ApiError>(manifest.documents.iter().map(|d| d.id).collect())
            }
            .await
            .map_err(|e| e.body());
            known.insert(p.mrn.to_string(), ids);
        }
    }
    // Each upload's objects verified and its audit event written, a few at a time.
    let mut checks = Vec::with_capacity(planned.len());
    for (i, c, p) in planned {
        let (state, user) = (&state, &user);
        let ids = &known[p.mrn.as_str()];
        checks.push(async move {
            let checked = match ids {
                Err(body) => Err(body.clone()),
                Ok(ids) if ids.contains(&c.upload.doc_id) => Ok(None),
                Ok(_) => async {
                    verified(state, c, &p).await?;
                    let detail = Detail {
                        doc_id: Some(c.upload.doc_id),
                        ..Default::default()
                    };
                    access::audit(state, user, AuditAction::Upload, &p.mrn, detail).await?;
                    Ok::<_, ApiError>(Some(()))
                }
                .await
                .map_err(|e| e.body()),
            };
            (i, c, p, checked)
        });
    }
    let checked: Vec<_> = futures_util::stream::iter(checks)
        .buffer_unordered(PARALLEL_CHECKS)
        .collect()
        .await;
    let mut ready: BTreeMap<String, Vec<(usize, Planned, DocumentEntry, bool)>> = BTreeMap::new();
    for (i, c, p, outcome) in checked {
        match outcome {
            Ok(Some(())) => {
                let e = entry(&p, &c.upload, &user, &state);
                ready.entry(p.mrn.to_string()).or_default().push((
                    i,
                    p,
                    e,
                    c.upload.replace_oldest,
                ));
            }
            Ok(None) => {
                results.insert(i, already(c.upload.doc_id));
            }
            Err(body) => {
                results.insert(i, refused_with(c.upload.doc_id, body));
            }
        }
    }
    let may = permissions(&user);
    for uploads in ready.into_values() {
        let mrn = uploads[0].1.mrn.clone();
        let attached = update_manifest(&state.store, &mrn, |manifest: &mut Manifest| {
            let mut outcomes = Vec::new();
            for (i, _, e, replace_oldest) in &uploads {
                let outcome = match attach(manifest, e.clone(), *replace_oldest) {
                    Ok(()) => UploadOutcomeKind::Attached,
                    Err(AttachError::AlreadyAttached) => UploadOutcomeKind::AlreadyAttached,
                    Err(AttachError::PreopFull) => UploadOutcomeKind::PreopFull,
                };
                outcomes.push((*i, e.id, outcome));
            }
            let rows: Vec<_> = outcomes
                .iter()
                .map(|(i, id, outcome)| (*i, *id, *outcome, row_for(manifest, *id, may)))
                .collect();
            Ok::<_, ApiError>(rows)
        })
        .await;
        match attached {
            Ok(rows) => {
                for (i, id, outcome, row) in rows {
                    let result = match outcome {
                        UploadOutcomeKind::PreopFull => {
                            // Refused for certain: no entry names these objects.
                            if let Some((_, planned, ..)) = uploads.iter().find(|u| u.0 == i) {
                                for (_, key, ..) in &planned.objects {
                                    let _ = state.store.delete(key).await;
                                }
                            }
                            refused(id, &ApiError::PreopFull)
                        }
                        _ => CompleteResult {
                            doc_id: id,
                            outcome,
                            row,
                            error: None,
                        },
                    };
                    results.insert(i, result);
                }
            }
            Err(e) => {
                let e = ApiError::from(e);
                for (i, _, entry, _) in &uploads {
                    results.insert(*i, refused(entry.id, &e));
                }
            }
        }
    }
    Ok(Json(CompletedUploads {
        results: results.into_values().collect(),
    }))
}

fn already(doc_id: uuid::Uuid) -> CompleteResult {
    CompleteResult {
        doc_id,
        outcome: UploadOutcomeKind::AlreadyAttached,
        row: None,
        error: None,
    }
}
