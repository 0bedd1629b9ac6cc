//! Adding a file that is on disk (the CLI's paths, the window's staged files): refused by its
//! size and first bytes before it is read at all, then read once, by the core, into the
//! outbox. No whole file crosses the window's IPC bridge or is copied on the way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use time::format_description::well_known::Rfc3339;
use tokio_util::sync::CancellationToken;
use tracing::instrument;
use uuid::Uuid;

use super::outbox::{DrainReport, Outbox, UploadOutcome};
use super::Upload;
use crate::cache::{OutboxItem, QueuedFile};
use crate::services::AppError;
use chartdesk_domain::{sniff, FileRefusal, SNIFF_BYTES};
use chartdesk_records::store::Progress;

/// A file on disk to add from the window: watched and cancellable like any upload.
pub struct FileUpload<'a> {
    pub path: &'a Path,
    /// The user's file name (a staged file's own name means nothing): metadata only.
    pub file_name: &'a str,
    pub mrn: &'a str,
    pub category: &'a str,
    pub replace_oldest: bool,
    pub progress: Arc<Progress>,
    pub cancel: CancellationToken,
}

impl Outbox<'_> {
    async fn queue_from_disk(
        self,
        path: &Path,
        name: &str,
        mrn: &str,
        category: &str,
        replace_oldest: bool,
    ) -> Result<String, AppError> {
        let (mrn, category) = super::upload_target(self.app, mrn, category).await?;
        let (size, declared) = self.size_and_type(path, name).await?;
        let accepted = self.app.policy().accept_declared(name, declared, size)?;
        let doc_id = Uuid::now_v7().to_string();
        let queued_at = (self.app.clock)().format(&Rfc3339).unwrap_or_default();
        self.app
            .cache()
            .await?
            .outbox_rows()
            .queue_file(QueuedFile {
                doc_id: doc_id.clone(),
                mrn: mrn.to_string(),
                category: category.id().to_string(),
                file_name: accepted.file_name,
                replace_oldest,
                path: path.to_path_buf(),
                size,
                queued_at,
            })
            .await?;
        Ok(doc_id)
    }

    /// The size (from metadata) and the type its first bytes show, without reading the rest.
    async fn size_and_type(self, path: &Path, name: &str) -> Result<(u64, &'static str), AppError> {
        let unreadable =
            |e: std::io::Error| AppError::from(FileRefusal::CannotRead(name.into(), e.to_string()));
        let mut file = tokio::fs::File::open(path).await.map_err(unreadable)?;
        let size = file.metadata().await.map_err(unreadable)?.len();
        let mut head = vec![0u8; SNIFF_BYTES as usize];
        let n = tokio::io::AsyncReadExt::read(&mut file, &mut head)
            .await
            .map_err(unreadable)?;
        head.truncate(n);
        // The same refusals as for bytes in memory: path tricks, empty, too large, wrong type.
        Ok((size, sniff(&head).unwrap_or("application/octet-stream")))
    }

    /// The whole file, once its size and type passed.
    async fn read_checked(self, path: &Path, name: &str) -> Result<Vec<u8>, AppError> {
        let (size, declared) = self.size_and_type(path, name).await?;
        self.app.policy().accept_declared(name, declared, size)?;
        tokio::fs::read(path)
            .await
            .map_err(|e| FileRefusal::CannotRead(name.into(), e.to_string()).into())
    }
}

impl Outbox<'_> {
    /// As `queue_upload`, for a file on disk named by its path. Returns its doc id.
    #[instrument(skip_all)]
    pub async fn queue_file(
        self,
        path: &Path,
        mrn: &str,
        category: &str,
        replace_oldest: bool,
    ) -> Result<String, AppError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.queue_from_disk(path, &name, mrn, category, replace_oldest)
            .await
    }

    /// As `add_document`, for a file on disk: durable in the outbox first, then sent at once
    /// with progress; offline it stays queued.
    #[instrument(skip_all)]
    pub async fn add_file(self, upload: FileUpload<'_>) -> Result<UploadOutcome, AppError> {
        if !self.app.offline_store.has_dir() {
            // No outbox to read it into: checked the same way, then read and sent directly.
            let bytes = self.read_checked(upload.path, upload.file_name).await?;
            let mut direct = Upload::new(upload.mrn, upload.category, upload.file_name, bytes);
            direct.replace_oldest = upload.replace_oldest;
            direct.progress = upload.progress;
            direct.cancel = upload.cancel;
            return self.add_document(direct).await;
        }
        let doc_id = self
            .queue_from_disk(
                upload.path,
                upload.file_name,
                upload.mrn,
                upload.category,
                upload.replace_oldest,
            )
            .await?;
        self.send_queued_now(doc_id, upload.progress, upload.cancel)
            .await
    }
}

/// Files `queue_and_send` seals into the outbox at once.
const QUEUED_AT_ONCE: usize = 2;

/// Where `queue_and_send` files what it is given.
pub struct Destination<'a> {
    pub mrn: &'a str,
    pub category: &'a str,
    pub replace_oldest: bool,
}

impl Outbox<'_> {
    /// Queues each file and sends the outbox, both at once (issue 25 item 1): the first
    /// files go up while the rest are still being made safe. Items waiting from earlier
    /// runs go first. `queued` hears of each file as it is queued (its doc id) or refused;
    /// after a cancel, files not yet queued are left alone.
    #[instrument(skip_all)]
    pub async fn queue_and_send(
        self,
        files: &[PathBuf],
        to: Destination<'_>,
        jobs: usize,
        progress: impl Fn(&OutboxItem) -> Arc<Progress>,
        cancel: &CancellationToken,
        mut queued: impl FnMut(&Path, Result<&str, &AppError>),
    ) -> Result<DrainReport, AppError> {
        // Read before anything new is queued, so no item comes twice.
        let (waiting, failed) = self.waiting().await?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<OutboxItem>();
        let producer = async move {
            // Two files sealed at once, heard of in the order given: one file's fsyncs overlap
            // the next one's reading and encrypting, so the senders are fed sooner.
            let mut sealing = futures_util::stream::iter(files)
                .map(|path| async move {
                    if cancel.is_cancelled() {
                        return (path, None);
                    }
                    let result = self
                        .queue_file(path, to.mrn, to.category, to.replace_oldest)
                        .await;
                    (path, Some(result))
                })
                .buffered(QUEUED_AT_ONCE);
            while let Some((path, result)) = sealing.next().await {
                // After a cancel, files not yet queued are left alone.
                let Some(result) = result else { break };
                queued(path, result.as_deref());
                let Ok(doc_id) = result else { continue };
                if let Ok(Some(item)) = self.app.cache().await?.outbox_rows().item(&doc_id).await {
                    let _ = tx.send(item);
                }
            }
            Ok::<_, AppError>(())
        };
        let fresh = futures_util::stream::unfold(rx, |mut rx| async {
            rx.recv().await.map(|item| (item, rx))
        });
        let items = futures_util::stream::iter(waiting).chain(fresh);
        let (produced, report) = tokio::join!(
            producer,
            self.send_all(items, failed, jobs, progress, cancel)
        );
        produced?;
        report
    }
}
