//! What can stop one document's processing, by kind (logged by kind, never with names).

use chartdesk_records::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The original landed before its upload was completed: try again shortly.
    #[error("the document is not attached yet")]
    NotAttachedYet,
    #[error("the records store could not be read or written: {0}")]
    Store(#[from] StoreError),
    #[error("the virus scanner could not check the file: {0}")]
    Scanner(String),
    #[error("previews could not be made: {0}")]
    Renditions(String),
    #[error("the text could not be read: {0}")]
    Text(String),
    #[error("the local work folder failed: {0}")]
    Scratch(#[from] std::io::Error),
    #[error("the record is being changed by many people at once")]
    Contended,
}

impl ProcessError {
    /// Staff words for a document whose processing gave up (no names, no paths).
    pub fn staff_message(&self) -> &'static str {
        match self {
            ProcessError::NotAttachedYet => "the upload was never completed",
            ProcessError::Store(_) | ProcessError::Scratch(_) | ProcessError::Contended => {
                "the file could not be read from storage"
            }
            ProcessError::Scanner(_) => "the virus scanner could not check the file",
            ProcessError::Renditions(_) => "the file could not be read as an image or PDF",
            ProcessError::Text(_) => "the file's text could not be read",
        }
    }

    /// A short kind for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            ProcessError::NotAttachedYet => "not_attached_yet",
            ProcessError::Store(_) => "store",
            ProcessError::Scanner(_) => "scanner",
            ProcessError::Renditions(_) => "renditions",
            ProcessError::Text(_) => "text",
            ProcessError::Scratch(_) => "scratch",
            ProcessError::Contended => "contended",
        }
    }
}
