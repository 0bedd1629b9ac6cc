//! The pass's outcome written where lists read it: one compare-and-swap on the manifest (only
//! while the entry still waits for it, so a redelivery changes nothing), then the audit.

use chartdesk_domain::{
    AuditAction, DocumentEntry, Manifest, Mrn, Processing, ProcessingState, ScanStatus,
};
use chartdesk_records::{audit, update_manifest, UpdateError};
use uuid::Uuid;

use crate::process::{Handled, Worker};
use crate::steps::{Findings, Job};
use crate::{ProcessError, Verdict, SYSTEM_ACTOR};

/// Why a change was not made: the entry is gone or already has its outcome.
#[derive(Debug, thiserror::Error)]
enum Skip {
    #[error("already recorded")]
    AlreadyDone,
    #[error("not in the record")]
    Gone,
}

pub async fn record_findings(
    worker: &Worker,
    job: &Job,
    found: Findings,
) -> Result<Handled, ProcessError> {
    let (state, scan, message) = match (found.corrupted, found.verdict) {
        (true, _) => (ProcessingState::Corrupted, ScanStatus::Pending, None),
        // Set only when the scan let the pass go on (clean, or GuardDuty's verdict to come).
        (false, verdict) if found.refused.is_some() => (
            ProcessingState::Failed,
            match verdict {
                Some(Verdict::Clean) => ScanStatus::Clean,
                _ => ScanStatus::Pending,
            },
            found.refused.clone(),
        ),
        (false, Some(Verdict::Unscannable)) => (
            ProcessingState::Failed,
            ScanStatus::Pending,
            Some("the virus scanner could not check the file".to_string()),
        ),
        (false, Some(Verdict::Infected)) => (ProcessingState::Done, ScanStatus::Infected, None),
        (false, Some(Verdict::Clean)) => (ProcessingState::Done, ScanStatus::Clean, None),
        (false, _) => (ProcessingState::Done, ScanStatus::Pending, None),
    };
    let processing = Processing {
        state,
        pages: found.pages,
        preview_pages: found.preview_pages,
        pdf_thumb: found.pdf_thumb,
        has_text: found.has_text,
        perceptual_hash: found.perceptual_hash,
        duplicate: found.duplicate,
        message,
        at: Some(worker.now()),
    };
    let variants = found.variants;
    let changed = change_entry(worker, &job.mrn, job.entry.id, |entry| {
        entry.processing = Some(processing.clone());
        entry.scan_status = scan;
        entry.variants = variants.clone();
    })
    .await?;
    if let Some(done) = changed {
        return Ok(done);
    }
    let action = match (state, scan) {
        (_, ScanStatus::Infected) => AuditAction::VirusFound,
        (ProcessingState::Done, _) => AuditAction::Processed,
        _ => AuditAction::ProcessingFailed,
    };
    audit_system(worker, &job.mrn, job.entry.id, action).await?;
    Ok(Handled::Recorded(state))
}

/// A verdict that arrived on its own (GuardDuty's result event).
pub async fn record_verdict(
    worker: &Worker,
    mrn: &Mrn,
    id: Uuid,
    verdict: Verdict,
) -> Result<Handled, ProcessError> {
    let scan = match verdict {
        Verdict::Clean => ScanStatus::Clean,
        Verdict::Infected => ScanStatus::Infected,
        Verdict::NotYet | Verdict::Unscannable => return Ok(Handled::NotOurs),
    };
    let manifest = chartdesk_records::read_manifest(worker.store(), mrn)
        .await?
        .map(|v| v.value)
        .unwrap_or_default();
    match manifest.documents.iter().find(|d| d.id == id) {
        None => return Err(ProcessError::NotAttachedYet),
        Some(e) if e.scan_status != ScanStatus::Pending => return Ok(Handled::AlreadyDone),
        Some(_) => {}
    }
    let result = update_manifest(worker.store(), mrn, |m: &mut Manifest| {
        let entry = entry_mut(m, id).ok_or(Skip::Gone)?;
        if entry.scan_status != ScanStatus::Pending {
            return Err(Skip::AlreadyDone);
        }
        entry.scan_status = scan;
        let now = worker.now();
        if let Some(p) = entry.processing.as_mut() {
            p.at = Some(now);
        }
        Ok(entry.processing.as_ref().map(|p| p.state))
    })
    .await;
    let state = match result {
        Ok(state) => state.unwrap_or(ProcessingState::Done),
        Err(UpdateError::Rule(Skip::AlreadyDone)) => return Ok(Handled::AlreadyDone),
        Err(UpdateError::Rule(Skip::Gone)) => return Ok(Handled::NotOurs),
        Err(UpdateError::Store(e)) => return Err(e.into()),
        Err(UpdateError::Contended) => return Err(ProcessError::Contended),
    };
    if scan == ScanStatus::Infected {
        audit_system(worker, mrn, id, AuditAction::VirusFound).await?;
    }
    Ok(Handled::Recorded(state))
}

/// The last attempt failed: the document shows *processing failed*, never pending or clean.
pub async fn record_failure(
    worker: &Worker,
    mrn: &Mrn,
    id: Uuid,
    why: &str,
) -> Result<Handled, ProcessError> {
    let changed = change_entry(worker, mrn, id, |entry| {
        let mut processing = entry.processing.clone().unwrap_or_else(Processing::queued);
        processing.state = ProcessingState::Failed;
        processing.message = Some(why.to_string());
        processing.at = Some(worker.now());
        entry.processing = Some(processing);
    })
    .await?;
    if let Some(done) = changed {
        return Ok(done);
    }
    audit_system(worker, mrn, id, AuditAction::ProcessingFailed).await?;
    Ok(Handled::Recorded(ProcessingState::Failed))
}

/// Applies `change` to the entry while it still waits for the worker. `Some(..)` when nothing
/// was changed, saying why.
async fn change_entry(
    worker: &Worker,
    mrn: &Mrn,
    id: Uuid,
    change: impl Fn(&mut DocumentEntry),
) -> Result<Option<Handled>, ProcessError> {
    let result = update_manifest(worker.store(), mrn, |m: &mut Manifest| {
        let entry = entry_mut(m, id).ok_or(Skip::Gone)?;
        match &entry.processing {
            Some(p) if p.state == ProcessingState::Queued => {}
            _ => return Err(Skip::AlreadyDone),
        }
        change(entry);
        Ok(())
    })
    .await;
    match result {
        Ok(()) => Ok(None),
        Err(UpdateError::Rule(Skip::AlreadyDone)) => Ok(Some(Handled::AlreadyDone)),
        Err(UpdateError::Rule(Skip::Gone)) => Ok(Some(Handled::NotOurs)),
        Err(UpdateError::Store(e)) => Err(e.into()),
        Err(UpdateError::Contended) => Err(ProcessError::Contended),
    }
}

fn entry_mut(m: &mut Manifest, id: Uuid) -> Option<&mut DocumentEntry> {
    m.documents
        .iter_mut()
        .find(|d| d.id == id)
        .map(|d| &mut **d)
}

async fn audit_system(
    worker: &Worker,
    mrn: &Mrn,
    id: Uuid,
    action: AuditAction,
) -> Result<(), ProcessError> {
    audit::record(
        worker.audit(),
        worker.now(),
        SYSTEM_ACTOR,
        action,
        mrn,
        Some(id),
    )
    .await?;
    Ok(())
}
