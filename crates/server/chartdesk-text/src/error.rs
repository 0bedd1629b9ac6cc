//! Why a document's text could not be read. Messages are in plain staff words and never carry a
//! file name or any of the document's text.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("text is not read from this kind of file")]
    Unsupported,
    #[error("the file could not be read as a {kind}")]
    Unreadable { kind: &'static str },
    #[error("reading the file's text took longer than {0:?}")]
    TimedOut(Duration),
    #[error("the text tool {tool} is not installed on this server")]
    ToolMissing { tool: &'static str },
    #[error("the text tool {tool} could not be run")]
    Io {
        tool: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl TextError {
    /// A stable name for logs: the kind of failure, never its details.
    pub fn kind(&self) -> &'static str {
        match self {
            TextError::Unsupported => "unsupported",
            TextError::Unreadable { .. } => "unreadable",
            TextError::TimedOut(_) => "timed_out",
            TextError::ToolMissing { .. } => "tool_missing",
            TextError::Io { .. } => "io",
        }
    }
}
