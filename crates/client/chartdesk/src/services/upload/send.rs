//! An upload as the records server's intents: the original is prepared here (hashed whole and
//! by part), the server validates it and presigns its PUT (or the parts of a multipart upload)
//! for one exact key, the bytes go straight to S3, and
//! a batch of completes is verified and attached by the server with one compare-and-swap per
//! patient. The same doc id on every try: a replay never doubles anything.

use std::sync::Arc;

use bytes::Bytes;
use chartdesk_api::{
    CompleteResult, CompleteUpload, CompleteUploads, CompletedPartDto, StartedUpload,
    UploadOutcomeKind, UploadTarget,
};
use futures_util::future::join_all;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::body::Body;
use super::prepare::Prepared;
use super::sender::Sender;
use crate::cloud::{RecordsServer, ServerError};
use crate::services::AppError;
use chartdesk_domain::AttachError;
use chartdesk_domain::DocumentRow;
use chartdesk_records::store::object_store::sha256_base64;
use chartdesk_records::store::part_journal::{PartJournal, RecordedPart, RecordedUpload};
use chartdesk_records::store::Progress;

/// An upload prepared and declared: the multipart upload an earlier try journaled (its parts
/// sent are not sent again) is named in its start.
pub(in crate::services::upload) struct Declared {
    pub prepared: Prepared,
    recorded: Option<RecordedUpload>,
}

impl Sender<'_> {
    /// Start, then every object's bytes to S3: what the complete call needs. A replay of an
    /// upload already in the record sends nothing.
    pub(in crate::services::upload) async fn send_prepared(
        self,
        prepared: Prepared,
        progress: &Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<CompleteUpload, AppError> {
        let declared = self.declare(prepared).await;
        let started = self.start(declared.prepared.start.clone()).await?;
        self.send_started(declared, started, progress, cancel).await
    }

    /// Names in the declaration the multipart upload an earlier try of it journaled in the
    /// encrypted cache, so the server resumes it.
    pub(in crate::services::upload) async fn declare(self, mut prepared: Prepared) -> Declared {
        let recorded = match self.app.usable_cache().await {
            Some(cache) => cache.recall(&journal_key(prepared.start.doc_id)).await,
            None => None,
        };
        prepared.start.resume_upload_id = recorded.as_ref().map(|r| r.upload_id.clone());
        Declared { prepared, recorded }
    }

    /// Every object's bytes to S3 as the start answer says: what the complete call needs.
    pub(in crate::services::upload) async fn send_started(
        self,
        declared: Declared,
        started: StartedUpload,
        progress: &Arc<Progress>,
        cancel: &CancellationToken,
    ) -> Result<CompleteUpload, AppError> {
        let server = self.app.records.server_or_none()?;
        let Declared { prepared, recorded } = declared;
        if started.doc_id != prepared.start.doc_id {
            return Err(ServerError::Malformed.into());
        }
        let cache = self.app.usable_cache().await;
        let journal = cache.as_ref().map(|c| c as &dyn PartJournal);
        let journal_key = journal_key(prepared.start.doc_id);
        let mut complete = CompleteUpload {
            upload: prepared.start,
            multipart_upload_id: None,
            parts: Vec::new(),
        };
        if started.already_attached {
            return Ok(complete);
        }
        // The parts were hashed at the policy's part size before the server answered.
        let multipart = started.objects.iter().any(|o| o.multipart.is_some());
        if multipart && started.part_size != prepared.part_size as u64 {
            return Err(ServerError::Malformed.into());
        }
        let plan = PartPlan {
            size: prepared.part_size,
            parallel: usize::try_from(started.parallel_parts.max(1)).unwrap_or(1),
        };
        for target in &started.objects {
            let body = prepared
                .bodies
                .iter()
                .find(|(role, _)| *role == target.role)
                .map(|(_, b)| b.clone())
                .ok_or(ServerError::Malformed)?;
            let watch = Watch {
                progress,
                cancel,
                journal: journal.map(|j| (j, journal_key.as_str(), recorded.as_ref())),
            };
            if let Some((upload_id, parts)) = send_object(server, target, body, plan, watch).await?
            {
                complete.multipart_upload_id = Some(upload_id);
                complete.parts = parts;
            }
        }
        if cancel.is_cancelled() {
            return Err(ServerError::Cancelled.into());
        }
        Ok(complete)
    }

    /// Completes a batch, one request per patient (each with that patient's break-glass
    /// reason) of at most `MAX_UPLOADS_PER_REQUEST`; one result per upload, in order.
    pub(in crate::services::upload) async fn complete_uploads(
        self,
        uploads: Vec<CompleteUpload>,
    ) -> Result<Vec<Result<DocumentRow, AppError>>, AppError> {
        let server = self.app.records.server_or_none()?;
        let token = self.app.access_token().await?;
        let ids: Vec<Uuid> = uploads.iter().map(|u| u.upload.doc_id).collect();
        let mut by_patient: std::collections::BTreeMap<String, Vec<CompleteUpload>> =
            Default::default();
        for u in uploads {
            by_patient.entry(u.upload.mrn.clone()).or_default().push(u);
        }
        let mut answered = Vec::with_capacity(ids.len());
        for (mrn, uploads) in by_patient {
            let reason = self.app.records.reason_for(&mrn);
            for chunk in uploads.chunks(chartdesk_api::MAX_UPLOADS_PER_REQUEST) {
                let batch = CompleteUploads {
                    uploads: chunk.to_vec(),
                };
                let answer = server
                    .uploads()
                    .complete(&token, &batch, reason.as_ref())
                    .await?;
                answered.extend(answer.results);
            }
        }
        let mut results: Vec<Option<CompleteResult>> = answered.into_iter().map(Some).collect();
        Ok(ids
            .iter()
            .map(|id| {
                let result = results
                    .iter_mut()
                    .find(|r| r.as_ref().is_some_and(|r| r.doc_id == *id))
                    .and_then(Option::take)
                    .ok_or(AppError::Server(ServerError::Malformed))?;
                outcome(result)
            })
            .collect())
    }
}

fn outcome(result: CompleteResult) -> Result<DocumentRow, AppError> {
    match result.outcome {
        UploadOutcomeKind::Attached => result.row.ok_or(AppError::Server(ServerError::Malformed)),
        UploadOutcomeKind::AlreadyAttached => Err(AppError::Attach(AttachError::AlreadyAttached)),
        UploadOutcomeKind::PreopFull => Err(AppError::Attach(AttachError::PreopFull)),
        UploadOutcomeKind::Refused => Err(match result.error {
            Some(body) => attach_refusal(ServerError::Refused(body)),
            None => ServerError::Malformed.into(),
        }),
    }
}

/// The server's `preop_full` is the same choice the window offers today (Replace oldest /
/// Discard); everything else stays the server's word.
pub(super) fn attach_refusal(e: ServerError) -> AppError {
    match &e {
        ServerError::Refused(body) if body.code == chartdesk_api::ApiErrorCode::PreopFull => {
            AppError::Attach(AttachError::PreopFull)
        }
        _ => e.into(),
    }
}

/// Where a document's multipart upload is journaled.
pub(in crate::services) fn journal_key(doc_id: Uuid) -> String {
    format!("doc/{doc_id}")
}

/// Who watches one object's transfer: its progress, its cancel, and the part journal (with
/// this document's key and what an earlier try recorded).
#[derive(Clone, Copy)]
struct Watch<'a> {
    progress: &'a Arc<Progress>,
    cancel: &'a CancellationToken,
    journal: Option<(&'a dyn PartJournal, &'a str, Option<&'a RecordedUpload>)>,
}

/// How an upload's parts are cut and sent, as the server's start answer said.
#[derive(Clone, Copy)]
struct PartPlan {
    size: usize,
    parallel: usize,
}

/// One object's bytes: a single PUT, or its parts (`plan.parallel` at a time, those an earlier
/// try of the same upload sent skipped); for multipart, the upload id and the parts S3 accepted.
async fn send_object(
    server: &RecordsServer,
    target: &UploadTarget,
    body: Body,
    plan: PartPlan,
    watch: Watch<'_>,
) -> Result<Option<(String, Vec<CompletedPartDto>)>, AppError> {
    let Watch {
        progress, cancel, ..
    } = watch;
    if let Some(put) = &target.put {
        // Read as the network takes it: a single PUT (up to the server's threshold, 64 MiB by
        // default) holds one part's worth at a time, as a multipart upload does.
        let unread = std::sync::Arc::new(std::sync::Mutex::new(None));
        let pieces = || {
            // Each attempt reads afresh: only its own failure may be reported.
            if let Ok(mut slot) = unread.lock() {
                *slot = None;
            }
            body.pieces(plan.size, unread.clone())
        };
        let sent = server
            .put_pieces(put, body.len(), pieces, progress, cancel)
            .await;
        return match sent {
            Ok(_) | Err(ServerError::AlreadyStored) => Ok(None),
            // The queued copy could not be read: said as that, not as a network failure.
            Err(e) => Err(unread
                .lock()
                .ok()
                .and_then(|mut slot| slot.take())
                .unwrap_or_else(|| e.into())),
        };
    }
    let multipart = target.multipart.as_ref().ok_or(ServerError::Malformed)?;
    if multipart.part_size != plan.size as u64 {
        return Err(ServerError::Malformed.into());
    }
    // A part's bytes, read when it is sent (from the outbox chunks for a queued file).
    let slice_of = |number: i32| {
        let start = u64::try_from(number - 1)
            .unwrap_or(u64::MAX)
            .saturating_mul(plan.size as u64);
        body.read(start, plan.size)
    };
    let mut parts = Vec::with_capacity(multipart.parts.len());
    let mut to_send = Vec::with_capacity(multipart.parts.len());
    match watch.journal {
        // The same upload as the earlier try: its recorded parts whose bytes still match count
        // as sent.
        Some((_, _, Some(recorded))) if recorded.upload_id == multipart.upload_id => {
            let mut resumed = 0;
            for part in &multipart.parts {
                let recorded_part = recorded.parts.iter().find(|r| r.number == part.number);
                let kept = match recorded_part {
                    Some(r) => match slice_of(part.number).await? {
                        Some(s) if sha256_base64(&s) == r.sha256 => Some((r, s.len() as u64)),
                        _ => None,
                    },
                    None => None,
                };
                match kept {
                    Some((r, len)) => {
                        resumed += len;
                        parts.push(CompletedPartDto {
                            number: r.number,
                            etag: r.etag.clone(),
                        });
                    }
                    None => to_send.push(part),
                }
            }
            // One step on the progress bar: the share already in the store.
            progress.add(resumed);
        }
        Some((journal, key, _)) => {
            journal.forget(key).await;
            journal.started(key, &multipart.upload_id).await;
            to_send.extend(&multipart.parts);
        }
        None => to_send.extend(&multipart.parts),
    }
    // Chunks of concurrent parts (a stream with borrowing closures is not `Send` enough for
    // Tauri's command futures).
    for chunk in to_send.chunks(plan.parallel) {
        let sent = join_all(chunk.iter().map(|part| async {
            let slice = slice_of(part.number).await?;
            send_part(server, part, slice, watch)
                .await
                .map_err(AppError::from)
        }))
        .await;
        for part in sent {
            parts.push(part?);
        }
    }
    parts.sort_by_key(|p| p.number);
    Ok(Some((multipart.upload_id.clone(), parts)))
}

/// One part; recorded in the journal once S3 has it, so a crash after this resumes past it.
async fn send_part(
    server: &RecordsServer,
    part: &chartdesk_api::PresignedPart,
    slice: Option<Bytes>,
    watch: Watch<'_>,
) -> Result<CompletedPartDto, ServerError> {
    let slice = slice.ok_or(ServerError::Malformed)?;
    let etag = server
        .put(&part.request, &slice, watch.progress, watch.cancel)
        .await?;
    if let Some((journal, key, _)) = watch.journal {
        let recorded = RecordedPart {
            number: part.number,
            etag: etag.clone(),
            sha256: sha256_base64(&slice),
        };
        journal.part_done(key, recorded).await;
    }
    Ok(CompletedPartDto {
        number: part.number,
        etag,
    })
}
