//! One notice handled: the original found in its record, downloaded once, the pass run, the
//! outcome recorded. Idempotent by document id: a redelivered notice finds the outcome recorded
//! and does nothing twice.

use std::sync::Arc;
use std::time::Duration;

use chartdesk_domain::{keys, DocumentEntry, DocumentStatus, Manifest, Mrn, ProcessingState};
use chartdesk_records::store::RecordStore;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::outcome::{record_failure, record_findings, record_verdict};
use crate::steps::{pass, Findings, Flow, Job};
use crate::{Notice, ProcessError, Scanner};

/// How long to wait, read after read, for an upload to be attached (about 7 s in all).
const ATTACH_WAITS: [Duration; 5] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(3),
];

/// A clock passed in (the server's), so recorded times are testable.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

pub struct WorkerSettings {
    pub scanner: Scanner,
    /// The largest original accepted (the upload limit): a larger object is not read.
    pub max_bytes: u64,
}

pub struct Worker {
    store: Arc<dyn RecordStore>,
    audit: Arc<dyn RecordStore>,
    clock: Clock,
    settings: WorkerSettings,
    notifier: crate::subscriptions::Notifier,
    sweeper: crate::scratch::Sweeper,
}

/// What handling one notice came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// The outcome was recorded in the manifest.
    Recorded(ProcessingState),
    /// An earlier delivery recorded it: nothing done.
    AlreadyDone,
    /// A FHIR bulk export job's files and outcome were written.
    Exported,
    /// Not an original of an attached, processable document (a rendition, a manifest, a
    /// document from before the worker, one detached since): nothing to do.
    NotOurs,
    /// A document change (its audit event) was sent to this many matching subscriptions.
    Notified(usize),
}

impl Worker {
    pub fn new(
        store: Arc<dyn RecordStore>,
        audit: Arc<dyn RecordStore>,
        clock: Clock,
        settings: WorkerSettings,
    ) -> Self {
        let worker = Self {
            store,
            audit,
            clock,
            settings,
            notifier: Default::default(),
            sweeper: crate::scratch::Sweeper::new(
                crate::scratch::PREFIX,
                crate::scratch::STALE_AFTER,
            ),
        };
        // What a worker killed mid-document left (the original, its text) goes first.
        worker.sweeper.sweep_now();
        worker
    }

    /// The same worker sending FHIR subscription notifications with other retry settings.
    pub fn with_notifier(mut self, notifier: crate::subscriptions::Notifier) -> Self {
        self.notifier = notifier;
        self
    }

    pub(crate) fn notifier(&self) -> &crate::subscriptions::Notifier {
        &self.notifier
    }

    pub(crate) fn store(&self) -> &dyn RecordStore {
        &*self.store
    }

    pub(crate) fn audit(&self) -> &dyn RecordStore {
        &*self.audit
    }

    pub(crate) fn scanner(&self) -> &Scanner {
        &self.settings.scanner
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    /// Handles one notice. `last_attempt`: the queue will not deliver it again, so a failure is
    /// recorded as *processing failed* (never left looking pending, never clean).
    pub async fn handle(
        &self,
        notice: &Notice,
        last_attempt: bool,
    ) -> Result<Handled, ProcessError> {
        self.sweeper.sweep_if_due();
        let result = match notice {
            Notice::Landed { key } if chartdesk_records::audit::is_change_key(key) => {
                crate::subscriptions::deliver(self, key).await
            }
            Notice::Landed { key } => match chartdesk_fhir::bulk::job_of_key(key) {
                Some(job) => return crate::export::run(self, job, last_attempt).await,
                None => self.process(key).await,
            },
            Notice::Scanned { key, verdict } => match keys::parse_original(key) {
                Some((mrn, _, id)) => record_verdict(self, &mrn, id, *verdict).await,
                None => Ok(Handled::NotOurs),
            },
        };
        match result {
            Err(e) if last_attempt => {
                if let Notice::Landed { key } = notice {
                    if let Some((mrn, _, id)) = keys::parse_original(key) {
                        tracing::warn!(kind = e.kind(), "processing gave up after its retries");
                        record_failure(self, &mrn, id, e.staff_message()).await?;
                    }
                }
                // Still an error: the queue moves the notice to its dead-letter queue, where
                // operators see it (and can redrive it once the cause is fixed).
                Err(e)
            }
            other => other,
        }
    }

    async fn process(&self, key: &str) -> Result<Handled, ProcessError> {
        let Some((mrn, _, id)) = keys::parse_original(key) else {
            return Ok(Handled::NotOurs);
        };
        let (manifest, entry) = self.attached(&mrn, id).await?;
        match (&entry.processing, entry.status) {
            (_, status) if status != DocumentStatus::Attached => return Ok(Handled::NotOurs),
            (None, _) => return Ok(Handled::NotOurs),
            (Some(p), _) if p.state != ProcessingState::Queued => return Ok(Handled::AlreadyDone),
            _ => {}
        }
        let scratch = crate::scratch::for_document()?;
        let path = scratch.path().join("original");
        let limit = self.settings.max_bytes.max(entry.size);
        let Some(sha256) = self.store.download(key, &path, limit).await? else {
            return Err(ProcessError::NotAttachedYet);
        };
        let job = Job {
            mrn: mrn.clone(),
            key: key.to_string(),
            entry,
            manifest,
            path,
            sha256,
        };
        let mut found = Findings::default();
        for step in pass() {
            if let Flow::Stop = step.run(self, &job, &mut found).await? {
                break;
            }
        }
        record_findings(self, &job, found).await
    }

    /// The record and the document's entry. An original's notice can arrive before the upload's
    /// `complete` attached it (a second or so): wait that long here rather than hand the notice
    /// back to the queue, whose redelivery can be minutes away (on Lambda, the visibility timeout).
    async fn attached(
        &self,
        mrn: &Mrn,
        id: Uuid,
    ) -> Result<(Manifest, DocumentEntry), ProcessError> {
        for wait in ATTACH_WAITS {
            let manifest = self.manifest(mrn).await?;
            let found = manifest.entries().find(|d| d.id == id).cloned();
            if let Some(entry) = found {
                return Ok((manifest, entry));
            }
            tokio::time::sleep(wait).await;
        }
        Err(ProcessError::NotAttachedYet)
    }

    async fn manifest(&self, mrn: &Mrn) -> Result<Manifest, ProcessError> {
        Ok(chartdesk_records::read_manifest(&*self.store, mrn)
            .await?
            .map(|v| v.value)
            .unwrap_or_default())
    }
}

/// The id a notice is about, for logs (never a name or an MRN).
pub fn document_id(notice: &Notice) -> Option<Uuid> {
    let key = match notice {
        Notice::Landed { key } | Notice::Scanned { key, .. } => key,
    };
    keys::parse_original(key).map(|(_, _, id)| id)
}
