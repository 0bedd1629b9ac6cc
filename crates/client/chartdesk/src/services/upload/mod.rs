//! Adding a scan to a patient's record: checked by content here (the server checks again),
//! then the original sent through the records server (`send`); the server's worker makes the
//! previews. Objects first, manifest last: a failure between leaves an orphan object, never an entry without
//! its file.

mod body;
mod file;
mod outbox;
mod prepare;
mod send;
mod sender;
mod start;

pub use file::{Destination, FileUpload};
pub use outbox::{DrainReport, DrainedItem, Outbox, UploadOutcome};
use sender::Sender;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tracing::instrument;
use uuid::Uuid;

use crate::services::{AppError, Services};
use chartdesk_domain::DocumentRow;
use chartdesk_domain::{sha256_hex, AcceptedFile, Action, Category, Mrn};
use chartdesk_records::store::Progress;

/// Bytes sent so far of one upload the window started (its own id), for its progress bar.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct UploadProgress {
    pub upload_id: String,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// One file to add.
pub struct Upload<'a> {
    pub mrn: &'a str,
    pub category: &'a str,
    /// The user's file name: metadata only.
    pub file_name: &'a str,
    pub bytes: Vec<u8>,
    /// The user chose to replace the oldest preop image if preop is full.
    pub replace_oldest: bool,
    /// Bytes of the original sent.
    pub progress: Arc<Progress>,
    /// Cancelled before the manifest write: nothing is added and the objects are removed.
    pub cancel: CancellationToken,
    /// Fixed when the upload was queued in the outbox, so every retry writes the same keys
    /// and the manifest sees the same document; `None` for a new id.
    pub doc_id: Option<Uuid>,
}

impl<'a> Upload<'a> {
    /// An upload nobody watches or cancels, not replacing anything.
    pub fn new(mrn: &'a str, category: &'a str, file_name: &'a str, bytes: Vec<u8>) -> Self {
        Self {
            mrn,
            category,
            file_name,
            bytes,
            replace_oldest: false,
            progress: Progress::silent(),
            cancel: CancellationToken::new(),
            doc_id: None,
        }
    }
}

/// The user's file name as the UI sends it in a header (percent-encoded, since header values
/// are ASCII); undecodable bytes become U+FFFD rather than an error.
pub fn decode_file_name(header: &str) -> String {
    percent_encoding::percent_decode_str(header)
        .decode_utf8_lossy()
        .into_owned()
}

/// What every upload is checked for before anything is stored or queued.
pub(in crate::services) struct Checked {
    pub mrn: Mrn,
    pub category: Category,
    pub file: AcceptedFile,
    /// Hex, as the manifest records it.
    pub sha256: String,
}

impl Sender<'_> {
    /// The one check for direct and queued uploads: role, MRN format, category, content
    /// (magic bytes, empty, size limit).
    pub(in crate::services::upload) async fn check_upload(
        self,
        upload: &Upload<'_>,
    ) -> Result<Checked, AppError> {
        let (mrn, category) = upload_target(self.app, upload.mrn, upload.category).await?;
        let file = self.app.policy().accept(upload.file_name, &upload.bytes)?;
        Ok(Checked {
            mrn,
            category,
            file,
            sha256: sha256_hex(&upload.bytes),
        })
    }
}

/// Who may upload, and where to: the role, the MRN's format, the category.
async fn upload_target(
    app: &Services,
    mrn: &str,
    category: &str,
) -> Result<(Mrn, Category), AppError> {
    app.authorize(Action::Upload).await?;
    let mrn = app.parse_mrn(mrn)?;
    let category = Category::from_id(category).ok_or(AppError::NoSuchCategory)?;
    Ok((mrn, category))
}

impl super::Documents<'_> {
    /// Adds one file through the records server: start (the server validates and presigns),
    /// PUT the bytes straight to S3, complete (the server verifies and attaches).
    #[instrument(name = "upload_document", skip_all)]
    pub async fn upload(self, upload: Upload<'_>) -> Result<DocumentRow, AppError> {
        let progress = upload.progress.clone();
        let cancel = upload.cancel.clone();
        let sender = Sender::of(self.app);
        let prepared = sender.prepare_upload(upload).await?;
        let sent = sender.send_prepared(prepared, &progress, &cancel).await?;
        let mut results = sender.complete_uploads(vec![sent]).await?;
        results.pop().ok_or(AppError::NoSuchDocument)?
    }
}
