//! Files the window sends in chunks, staged on disk until the core queues them: no whole file
//! crosses the IPC bridge, sits in the web view's memory or is copied on the way. A staged file
//! is private to this user (mode 0600 on Unix) and deleted once queued, cancelled or refused.
//! It is staged in the user's own data folder, not the shared temp folder, and held under a
//! file lock while staged; one a crashed window left behind (old, and unlocked) is swept at
//! the next start.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::UiError;
use chartdesk_api::ApiErrorCode;
use tempfile::NamedTempFile;

/// A chunk is at most this much (the window sends 4 MiB; a little slack for other callers).
pub const MAX_CHUNK: usize = 8 * 1024 * 1024;

const PREFIX: &str = "chartdesk-upload-";

/// A staged file untouched this long, and not locked by a live window, was left by a window
/// that crashed (the age covers the moment between creating a file and locking it).
pub const LEFT_BEHIND_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Default)]
pub struct StagedUploads {
    uploads: Mutex<Uploads>,
    /// `None` stages in the system temp folder.
    dir: Option<PathBuf>,
}

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
    /// Stages under `dir` (created private to this user), first deleting what a crashed window
    /// left there. Falls back to the system temp folder when `dir` cannot be made.
    pub fn in_dir(dir: PathBuf) -> Self {
        match private_dir(&dir) {
            Ok(()) => {
                let swept = sweep_left_behind(&dir, LEFT_BEHIND_AFTER, SystemTime::now());
                if swept > 0 {
                    tracing::info!(swept, "deleted staged uploads a closed window left behind");
                }
                Self {
                    uploads: Mutex::default(),
                    dir: Some(dir),
                }
            }
            Err(e) => {
                tracing::warn!(kind = ?e.kind(), "cannot make the staging folder; using the temp folder");
                Self::default()
            }
        }
    }

    /// Appends `chunk` at `offset` (chunks come in order: a gap or replay is refused); the
    /// first chunk creates the staged file. Refused past `limit` bytes, before they are written.
    pub fn append(&self, id: &str, offset: u64, chunk: &[u8], limit: u64) -> Result<(), UiError> {
        if id.is_empty() || chunk.len() > MAX_CHUNK {
            return Err(UiError::invalid_request("The file was not sent in chunks"));
        }
        let mut uploads = self
            .uploads
            .lock()
            .map_err(|_| UiError::invalid_request("The upload could not be staged"))?;
        if uploads.cancelled.contains(id) {
            return Err(UiError {
                code: ApiErrorCode::Cancelled,
                message: "The upload was cancelled".into(),
                choices: None,
            });
        }
        let map = &mut uploads.staging;
        if offset == 0 {
            let mut builder = tempfile::Builder::new();
            builder.prefix(PREFIX);
            let file = match &self.dir {
                Some(dir) => builder.tempfile_in(dir),
                None => builder.tempfile(),
            }
            .map_err(|e| cannot_stage(&e))?;
            // Best effort: where locks are unsupported the age alone protects it.
            let _ = file.as_file().try_lock();
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
        let mut uploads = self.uploads.lock().ok()?;
        uploads.cancelled.remove(id);
        let mut staged = uploads.staging.remove(id)?;
        staged.file.flush().ok()?;
        Some(staged.file)
    }

    /// Drops a staged file (a Cancel while chunks were still coming): true when there was one.
    pub fn discard(&self, id: &str) -> bool {
        let Ok(mut uploads) = self.uploads.lock() else {
            return false;
        };
        let staging = uploads.staging.remove(id).is_some();
        if staging {
            uploads.cancelled.insert(id.to_string());
        }
        staging
    }
}

fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Deletes staged files in `dir` not written for `age` and not locked by a live window;
/// returns how many went.
pub fn sweep_left_behind(dir: &Path, age: Duration, now: SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let stale = |path: &Path| {
        let modified = std::fs::metadata(path).and_then(|m| m.modified());
        let old = modified.is_ok_and(|m| now.duration_since(m).is_ok_and(|d| d >= age));
        // Unlocked once the handle drops: on Windows an open file cannot be deleted.
        old && std::fs::File::open(path).is_ok_and(|f| f.try_lock().is_ok())
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX))
        })
        .filter(|p| stale(p) && std::fs::remove_file(p).is_ok())
        .count()
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
        let path = staged_path(&staged, "u3");
        assert!(path.exists());
        assert!(staged.discard("u3"));
        assert!(!path.exists());
        let late = staged.append("u3", 4, b"efgh", 100).unwrap_err();
        assert_eq!(
            late.code,
            ApiErrorCode::Cancelled,
            "a chunk still in flight"
        );
        assert!(
            staged.append("u3", 0, b"abcd", 100).is_err(),
            "nor a restart"
        );
    }

    fn staged_path(staged: &StagedUploads, id: &str) -> PathBuf {
        staged.uploads.lock().unwrap().staging[id]
            .file
            .path()
            .to_path_buf()
    }

    fn age(path: &Path, by: Duration) {
        let then = SystemTime::now() - by;
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(then).unwrap();
    }

    #[test]
    fn a_file_a_crashed_window_left_is_swept_at_the_next_start_and_a_live_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("staging");
        let old = LEFT_BEHIND_AFTER + Duration::from_secs(1);
        let crashed = StagedUploads::in_dir(staging.clone());
        crashed.append("u4", 0, b"left behind", 100).unwrap();
        let left = staged_path(&crashed, "u4");
        assert!(left.starts_with(&staging), "staged in the user's folder");
        // The window crashes: its file stays, and its lock goes with the process.
        let kept = crashed
            .uploads
            .lock()
            .unwrap()
            .staging
            .remove("u4")
            .unwrap();
        drop(kept.file.keep().unwrap().0);
        age(&left, old);
        // Another window is still sending an upload it staged long ago.
        let live = StagedUploads::in_dir(staging.clone());
        live.append("u5", 0, b"being sent", 100).unwrap();
        let sending = staged_path(&live, "u5");
        age(&sending, old);
        let other = staging.join("notes.txt");
        std::fs::write(&other, b"not ours").unwrap();
        age(&other, old);

        let _next = StagedUploads::in_dir(staging.clone());
        assert!(!left.exists(), "the crashed window's file is gone");
        assert!(other.exists(), "only staged uploads are swept");
        assert!(
            sending.exists(),
            "a file a live window holds is never swept"
        );
        assert_eq!(
            std::fs::read(live.take("u5").unwrap().path()).unwrap(),
            b"being sent"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_staging_folder_is_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("staging");
        let _staged = StagedUploads::in_dir(staging.clone());
        let mode = std::fs::metadata(&staging).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
