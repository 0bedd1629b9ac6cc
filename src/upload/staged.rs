//! Files the window sends in chunks, staged on disk until the core queues them: no whole file
//! crosses the IPC bridge, sits in the web view's memory or is copied on the way. A staged file
//! is private to this user (mode 0600 on Unix) and deleted once queued, cancelled or refused.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::Mutex;

use crate::{ErrorCode, UiError};
use tempfile::NamedTempFile;

/// A chunk is at most this much (the window sends 4 MiB; a little slack for other callers).
pub const MAX_CHUNK: usize = 8 * 1024 * 1024;

#[derive(Default)]
pub struct StagedUploads(Mutex<Uploads>);

#[derive(Default)]
struct Uploads {
    staging: HashMap<String, Staged>,
    /// Cancelled while staging: a chunk still in flight must not start the file again.
    cancelled: HashSet<String>,
}

struct Staged {
    file: NamedTempFile,
    written: u64,
}

impl StagedUploads {
    /// Appends `chunk` at `offset` (chunks come in order: a gap or replay is refused); the
    /// first chunk creates the staged file. Refused past `limit` bytes, before they are written.
    pub fn append(&self, id: &str, offset: u64, chunk: &[u8], limit: u64) -> Result<(), UiError> {
        if id.is_empty() || chunk.len() > MAX_CHUNK {
            return Err(UiError::invalid_request("The file was not sent in chunks"));
        }
        let mut uploads = self
            .0
            .lock()
            .map_err(|_| UiError::invalid_request("The upload could not be staged"))?;
        if uploads.cancelled.contains(id) {
            return Err(UiError {
                code: ErrorCode::Cancelled,
                message: "The upload was cancelled".into(),
            });
        }
        let map = &mut uploads.staging;
        if offset == 0 {
            let file = tempfile::Builder::new()
                .prefix("chartdesk-upload-")
                .tempfile()
                .map_err(|e| cannot_stage(&e))?;
            map.insert(id.to_string(), Staged { file, written: 0 });
        }
        let staged = map
            .get_mut(id)
            .filter(|s| s.written == offset)
            .ok_or_else(|| UiError::invalid_request("The file's chunks arrived out of order"))?;
        if offset + chunk.len() as u64 > limit {
            map.remove(id);
            return Err(UiError::invalid_request(&format!(
                "The file is larger than the {} MiB limit",
                limit / 1_048_576
            )));
        }
        let written = staged.file.write_all(chunk);
        if let Err(e) = written {
            map.remove(id);
            return Err(cannot_stage(&e));
        }
        staged.written += chunk.len() as u64;
        Ok(())
    }

    /// The staged file, fully written, for the core to queue; deleted when dropped.
    pub fn take(&self, id: &str) -> Option<NamedTempFile> {
        let mut uploads = self.0.lock().ok()?;
        uploads.cancelled.remove(id);
        let mut staged = uploads.staging.remove(id)?;
        staged.file.flush().ok()?;
        Some(staged.file)
    }

    /// Drops a staged file (a Cancel while chunks were still coming): true when there was one.
    pub fn discard(&self, id: &str) -> bool {
        let Ok(mut uploads) = self.0.lock() else {
            return false;
        };
        let staging = uploads.staging.remove(id).is_some();
        if staging {
            uploads.cancelled.insert(id.to_string());
        }
        staging
    }
}

fn cannot_stage(e: &std::io::Error) -> UiError {
    UiError::invalid_request(&format!(
        "The file could not be prepared for upload on this computer ({e})"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn chunks_in_order_make_the_file_and_a_gap_is_refused() {
        let staged = StagedUploads::default();
        staged.append("u1", 0, b"abc", 100).unwrap();
        staged.append("u1", 3, b"def", 100).unwrap();
        assert!(staged.append("u1", 9, b"x", 100).is_err(), "a gap");
        let file = staged.take("u1").unwrap();
        assert_eq!(std::fs::read(file.path()).unwrap(), b"abcdef");
        assert!(staged.take("u1").is_none(), "taken once");
    }

    #[test]
    fn a_file_past_the_limit_is_refused_and_nothing_is_kept() {
        let staged = StagedUploads::default();
        staged.append("u2", 0, b"abcd", 6).unwrap();
        let refused = staged.append("u2", 4, b"efgh", 6).unwrap_err();
        assert!(refused.message.contains("limit"), "{}", refused.message);
        assert!(staged.take("u2").is_none());
    }

    #[test]
    fn a_discarded_upload_leaves_no_file() {
        let staged = StagedUploads::default();
        staged.append("u3", 0, b"abcd", 100).unwrap();
        let path = {
            let uploads = staged.0.lock().unwrap();
            uploads.staging.get("u3").unwrap().file.path().to_path_buf()
        };
        assert!(path.exists());
        assert!(staged.discard("u3"));
        assert!(!path.exists());
        let late = staged.append("u3", 4, b"efgh", 100).unwrap_err();
        assert_eq!(late.code, ErrorCode::Cancelled, "a chunk still in flight");
        assert!(
            staged.append("u3", 0, b"abcd", 100).is_err(),
            "nor a restart"
        );
    }
}
