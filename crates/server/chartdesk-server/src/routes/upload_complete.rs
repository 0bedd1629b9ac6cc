//! Completing uploads: each upload's objects verified and its id's claim checked, then one
//! audit event and one compare-and-swap per patient under the preop rule. A preop image that
//! replaces the oldest is audited as a `Replace` naming the old document before the change.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chartdesk_api::{
    CompleteResult, CompleteUpload, CompleteUploads, CompletedUploads, ErrorBody, UploadOutcomeKind,
};
use chartdesk_domain::row_for;
use chartdesk_domain::AuditAction;
use chartdesk_domain::{attach, attach_replacing, Action, AttachError, DocumentEntry};
use chartdesk_domain::{Category, Manifest, StatedReason};
use chartdesk_records::manifest_store::KnownPart;
use chartdesk_records::{release_completing, update_manifest_from, StoredManifest};
use futures_util::future::join_all;
use futures_util::StreamExt;
use uuid::Uuid;

use super::documents::permissions;
use super::upload_plan::{entry, plan, upload_target, within_one_request, Planned};
use super::uploads::{already, claim_completing, refused, refused_with, verified};
use crate::access::{self, Detail};
use crate::auth::VerifiedUser;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;

/// Uploads of one batch verified at once (each is a create-only claim and a HEAD): waits on
/// the store, not work, so a 100-file batch takes a few waves rather than 25
/// (issue 25 item 1).
const PARALLEL_CHECKS: usize = 32;

/// A patient of the batch as complete found them: reached (break-glass reason, not
/// superseded) and their manifest at that time, kept as stored for the first try of the
/// attach's swap (one read of the record a batch, not two).
struct Target {
    reason: Option<StatedReason>,
    manifest: Manifest,
    /// The head's ETag and parts the manifest was read with; `None` for a record with none.
    read: Option<(String, Vec<KnownPart>)>,
}

impl Target {
    /// The record as read, for the swap's first try (moved, not copied: a long record's copy
    /// is O(its entries)).
    fn into_stored(self) -> Option<StoredManifest> {
        let manifest = self.manifest;
        self.read.map(|(etag, parts)| StoredManifest {
            manifest,
            etag,
            parts,
        })
    }
}

/// What attaching one upload came to inside the compare-and-swap.
enum Attach {
    Done(UploadOutcomeKind),
    /// It would replace other images than the ones audited: preop changed meanwhile.
    Changed,
}

#[utoipa::path(post, path = "/v1/uploads/complete", tag = "uploads", request_body = CompleteUploads,
    security(("bearer" = [])),
    responses((status = 200, body = CompletedUploads, description = "one result per upload"),
        (status = 400, body = chartdesk_api::ErrorBody, description = "more than 100 uploads")))]
pub async fn complete(
    State(state): State<AppState>,
    user: VerifiedUser,
    headers: HeaderMap,
    ApiJson(batch): ApiJson<CompleteUploads>,
) -> ApiResult<Json<CompletedUploads>> {
    user.require(Action::Upload)?;
    within_one_request(batch.uploads.len(), "added")?;
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
    // One visit per patient in the batch, not per upload.
    let mut targets: BTreeMap<String, Result<Target, ErrorBody>> = BTreeMap::new();
    for (_, _, p) in &planned {
        if !targets.contains_key(p.mrn.as_str()) {
            let target = async {
                // Read alongside, told nothing before the user is let in (as at start).
                let (reached, stored) = tokio::join!(
                    upload_target(&state, &user, &p.mrn, &headers),
                    access::stored(&state, &p.mrn)
                );
                let (reached, stored) = (reached?, stored?);
                let (manifest, read) = match stored {
                    Some(s) => (s.manifest, Some((s.etag, s.parts))),
                    None => (Manifest::new(), None),
                };
                Ok::<_, ApiError>(Target {
                    reason: reached.reason,
                    manifest,
                    read,
                })
            }
            .await
            .map_err(|e| e.body());
            targets.insert(p.mrn.to_string(), target);
        }
    }
    // Each upload's claim and objects checked, a few at a time.
    let mut checks = Vec::with_capacity(planned.len());
    for (i, c, p) in planned {
        let state = &state;
        let target = &targets[p.mrn.as_str()];
        checks.push(async move {
            let id = c.upload.doc_id;
            let checked = match target {
                Err(body) => Err(body.clone()),
                Ok(t) if t.manifest.documents.iter().any(|d| d.id == id) => Ok(None),
                Ok(_) => async {
                    let attempt = claim_completing(state, &p, id).await?;
                    let checked = verified(state, c, &p).await;
                    if checked.is_err() {
                        // Refused: the user may cancel it now (and the abort clean up).
                        let _ = release_completing(&*state.store, id, attempt).await;
                    }
                    checked.map(|()| Some(attempt))
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
    let mut verified_by_patient: BTreeMap<String, Vec<(usize, &CompleteUpload, Planned)>> =
        BTreeMap::new();
    // Each verified upload's hold on its claim, released if it is not attached.
    let mut attempts: BTreeMap<usize, Uuid> = BTreeMap::new();
    for (i, c, p, outcome) in checked {
        match outcome {
            Ok(Some(attempt)) => {
                attempts.insert(i, attempt);
                verified_by_patient
                    .entry(p.mrn.to_string())
                    .or_default()
                    .push((i, c, p))
            }
            Ok(None) => {
                results.insert(i, already(c.upload.doc_id));
            }
            Err(body) => {
                results.insert(i, refused_with(c.upload.doc_id, body));
            }
        }
    }
    // One event for all of a patient's files in this request, not one each (issue 25: three
    // store writes an event), written before any of them is attached; the patients' at once.
    let mut events = Vec::new();
    for (mrn, mut uploads) in verified_by_patient {
        let Some(Ok(target)) = targets.get(&mrn) else {
            continue;
        };
        // In the order asked (the checks finish in any order); a document named twice, once.
        uploads.sort_by_key(|(i, ..)| *i);
        let mut ids: Vec<Uuid> = Vec::with_capacity(uploads.len());
        for (_, c, _) in &uploads {
            if !ids.contains(&c.upload.doc_id) {
                ids.push(c.upload.doc_id);
            }
        }
        let (state, user) = (&state, &user);
        events.push(async move {
            let detail = Detail {
                doc_ids: &ids,
                reason: target.reason.as_ref(),
                count: (ids.len() > 1).then(|| u32::try_from(ids.len()).unwrap_or(u32::MAX)),
                ..Default::default()
            };
            let patient = &uploads[0].2.mrn;
            let written = access::audit(state, user, AuditAction::Upload, patient, detail).await;
            (mrn, uploads, written)
        });
    }
    let mut ready: BTreeMap<String, Vec<Ready>> = BTreeMap::new();
    for (mrn, uploads, written) in join_all(events).await {
        if let Err(e) = written {
            for (i, c, _) in uploads {
                release(&state, c.upload.doc_id, attempts.get(&i)).await;
                results.insert(i, refused(c.upload.doc_id, &e));
            }
            continue;
        }
        let uploads = uploads.into_iter().map(|(i, c, p)| Ready {
            i,
            entry: entry(&p, &c.upload, &user, &state),
            planned: p,
            replace_oldest: c.upload.replace_oldest,
        });
        ready.insert(mrn, uploads.collect());
    }
    for (mrn, uploads) in ready {
        let Some(Ok(target)) = targets.remove(&mrn) else {
            continue;
        };
        for (i, result) in attach_all(&state, &user, target, uploads).await {
            if result.outcome != UploadOutcomeKind::Attached {
                release(&state, result.doc_id, attempts.get(&i)).await;
            }
            results.insert(i, result);
        }
    }
    Ok(Json(CompletedUploads {
        results: results.into_values().collect(),
    }))
}

/// Lets go of an upload this request did not attach, so the user may cancel it.
async fn release(state: &AppState, doc_id: Uuid, attempt: Option<&Uuid>) {
    if let Some(attempt) = attempt {
        let _ = release_completing(&*state.store, doc_id, *attempt).await;
    }
}

/// One verified upload waiting to be attached.
struct Ready {
    i: usize,
    planned: Planned,
    entry: DocumentEntry,
    replace_oldest: bool,
}

/// Attaches one patient's verified uploads in one compare-and-swap. The images each would
/// replace are worked out on the manifest read at the start and audited first; inside the
/// swap an upload that would replace anything else is refused (tried again later), so no
/// image ever leaves the current list without an event naming it.
async fn attach_all(
    state: &AppState,
    user: &VerifiedUser,
    target: Target,
    uploads: Vec<Ready>,
) -> Vec<(usize, CompleteResult)> {
    let mrn = uploads[0].planned.mrn.clone();
    // Only preop images are ever replaced, so the preop entries are all the trial needs (an
    // upload whose id the record holds already never gets here).
    let preop = target.manifest.documents.iter();
    let mut trial = Manifest {
        documents: preop
            .filter(|d| d.category == Category::Preop)
            .cloned()
            .collect(),
        ..Manifest::new()
    };
    let expected: Vec<Vec<Uuid>> = uploads
        .iter()
        .map(|u| {
            attach(&mut trial, u.entry.clone(), u.replace_oldest)
                .map(|done| done.replaced)
                .unwrap_or_default()
        })
        .collect();
    for old in expected.iter().flatten() {
        let detail = Detail {
            doc_id: Some(*old),
            reason: target.reason.as_ref(),
            ..Default::default()
        };
        if let Err(e) = access::audit(state, user, AuditAction::Replace, &mrn, detail).await {
            return uploads
                .iter()
                .map(|u| (u.i, refused(u.entry.id, &e)))
                .collect();
        }
    }
    let may = permissions(user);
    let attached = update_manifest_from(
        &*state.store,
        &mrn,
        target.into_stored(),
        |manifest: &mut Manifest| {
            let mut rows = Vec::new();
            for (u, expected) in uploads.iter().zip(&expected) {
                // Judged before anything changes: no copy of a long record to undo with.
                let attached =
                    attach_replacing(manifest, u.entry.clone(), u.replace_oldest, expected);
                let outcome = match attached {
                    Ok(Some(_)) => Attach::Done(UploadOutcomeKind::Attached),
                    Ok(None) => Attach::Changed,
                    Err(AttachError::AlreadyAttached) => {
                        Attach::Done(UploadOutcomeKind::AlreadyAttached)
                    }
                    Err(AttachError::PreopFull) => Attach::Done(UploadOutcomeKind::PreopFull),
                };
                rows.push((u.i, u.entry.id, outcome));
            }
            let rows: Vec<_> = rows
                .into_iter()
                .map(|(i, id, outcome)| (i, id, outcome, row_for(manifest, id, may)))
                .collect();
            Ok::<_, ApiError>(rows)
        },
    )
    .await;
    let rows = match attached {
        Ok(rows) => rows,
        Err(e) => {
            let e = ApiError::from(e);
            return uploads
                .iter()
                .map(|u| (u.i, refused(u.entry.id, &e)))
                .collect();
        }
    };
    let mut results = Vec::with_capacity(rows.len());
    for (i, id, outcome, row) in rows {
        let result = match outcome {
            Attach::Done(UploadOutcomeKind::PreopFull) => {
                // Refused for certain: no entry names these objects.
                if let Some(u) = uploads.iter().find(|u| u.i == i) {
                    for (_, key, ..) in &u.planned.objects {
                        let _ = state.store.delete(key).await;
                    }
                }
                refused(id, &ApiError::PreopFull)
            }
            Attach::Changed => refused(
                id,
                &ApiError::Conflict(
                    "Preop changed while this image was being added; it will be tried again".into(),
                ),
            ),
            Attach::Done(outcome) => CompleteResult {
                doc_id: id,
                outcome,
                row,
                error: None,
            },
        };
        results.push((i, result));
    }
    results
}
