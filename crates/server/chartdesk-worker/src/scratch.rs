//! The worker's scratch folders, one per document, in the system's temp folder. The original
//! is downloaded into it, and the text and preview tools work beside it (chartdesk-text and
//! chartdesk-renditions make their folders next to the file they are given). A worker killed
//! mid-document (kill -9, a Lambda timeout) cannot remove its folder, which holds patient data:
//! the original and its text. So a worker removes folders of this name left long enough that no
//! live document can still be using them: when it starts, and then, while notices come, every
//! 10 minutes. The records server sweeps its export staging files the same way.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// Every scratch folder starts with this.
pub const PREFIX: &str = "chartdesk-work-";

/// Longer than any document can take (the text alone stops at 5 minutes, a Lambda at 15), and
/// measured from the folder's last change.
pub const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// How often a running worker looks again.
const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);

/// A new scratch folder for one document; removed when dropped.
pub fn for_document() -> std::io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(PREFIX).tempdir()
}

/// Removes the folders and files in `root` named `prefix…` unchanged for `older_than`; returns
/// how many. Anything else in `root` is left alone, and what cannot be read or removed is
/// skipped (the next sweep tries again).
pub fn sweep_stale(root: &Path, prefix: &str, older_than: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        // The link's own metadata: a link named like ours is removed, never followed.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let unchanged = meta
            .modified()
            .ok()
            .and_then(|at| now.duration_since(at).ok());
        if unchanged.is_none_or(|age| age < older_than) {
            continue;
        }
        let gone = if meta.is_dir() {
            std::fs::remove_dir_all(entry.path())
        } else {
            std::fs::remove_file(entry.path())
        };
        removed += usize::from(gone.is_ok());
    }
    removed
}

/// Sweeps the system's temp folder of one kind of scratch: now (at start-up), and then at most
/// once per `SWEEP_EVERY`, off the async threads.
pub struct Sweeper {
    prefix: &'static str,
    older_than: Duration,
    last: Mutex<Option<Instant>>,
}

impl Sweeper {
    pub const fn new(prefix: &'static str, older_than: Duration) -> Self {
        Self {
            prefix,
            older_than,
            last: Mutex::new(None),
        }
    }

    /// Sweeps now, on this thread.
    pub fn sweep_now(&self) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some(Instant::now());
        }
        sweep_and_say(self.prefix, self.older_than);
    }

    /// Sweeps if the last sweep was `SWEEP_EVERY` ago or more (or there was none).
    pub fn sweep_if_due(&self) {
        {
            let Ok(mut last) = self.last.lock() else {
                return;
            };
            if last.is_some_and(|at| at.elapsed() < SWEEP_EVERY) {
                return;
            }
            *last = Some(Instant::now());
        }
        let (prefix, older_than) = (self.prefix, self.older_than);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(move || sweep_and_say(prefix, older_than))),
            Err(_) => sweep_and_say(prefix, older_than),
        }
    }
}

fn sweep_and_say(prefix: &str, older_than: Duration) {
    let removed = sweep_stale(&std::env::temp_dir(), prefix, older_than);
    if removed > 0 {
        tracing::info!(removed, "removed scratch a stopped process left");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aged(path: &Path, age: Duration) {
        let file = std::fs::File::open(path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
    }

    #[test]
    fn a_sweep_removes_only_stale_scratch_of_ours() {
        let root = tempfile::tempdir().unwrap();
        let stale = root.path().join(format!("{PREFIX}killed"));
        std::fs::create_dir_all(stale.join("text-1")).unwrap();
        std::fs::write(stale.join("original"), b"%PDF-").unwrap();
        aged(&stale, Duration::from_secs(2 * 3600));
        let stale_file = root.path().join(format!("{PREFIX}staged.zip"));
        std::fs::write(&stale_file, b"PK").unwrap();
        aged(&stale_file, Duration::from_secs(2 * 3600));
        let live = root.path().join(format!("{PREFIX}live"));
        std::fs::create_dir(&live).unwrap();
        let not_ours = root.path().join("someone-else");
        std::fs::create_dir(&not_ours).unwrap();
        aged(&not_ours, Duration::from_secs(2 * 3600));

        assert_eq!(sweep_stale(root.path(), PREFIX, STALE_AFTER), 2);
        assert!(!stale.exists(), "a killed worker's folder is removed");
        assert!(!stale_file.exists(), "a stale file is removed");
        assert!(live.exists(), "a folder in use is kept");
        assert!(not_ours.exists(), "what is not ours is kept");
    }

    #[test]
    fn a_missing_root_sweeps_nothing() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(
            sweep_stale(&root.path().join("gone"), PREFIX, STALE_AFTER),
            0
        );
    }
}
